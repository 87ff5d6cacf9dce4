//! The built bundle's file names. `scripts/build` names each file after a hash of its contents and lists the
//! hashes in a file beside the server binary (`hash.txt`, the file Leptos reads for its own scripts), so
//! browsers can keep the files for a year and a new release is never served from an old cache.

use std::path::PathBuf;
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

/// The hash file beside the running binary, where `scripts/build` writes it and Leptos looks for it.
pub fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}

/// Turns on hashed names when the build wrote a hash file, so a binary from `scripts/build` needs no setting
/// and one built some other way (tests, `cargo leptos watch`) still finds its plain names.
pub fn detect_hashed_names(options: &mut LeptosOptions) {
    if hash_file(options).is_some_and(|path| path.is_file()) {
        options.hash_files = true;
    }
}

/// The hash of one kind of file (`js`, `wasm`, `css`) from a hash file's text.
fn hash_of<'a>(hashes: &'a str, kind: &str) -> Option<&'a str> {
    hashes.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        (file.trim() == kind).then(|| hash.trim())
    })
}

/// The hash file's text, read once: every page names the bundle's files.
fn hashes(options: &LeptosOptions) -> Option<&'static str> {
    static HASHES: OnceLock<Option<String>> = OnceLock::new();
    HASHES
        .get_or_init(|| {
            options
                .hash_files
                .then(|| hash_file(options))
                .flatten()
                .and_then(|path| std::fs::read_to_string(path).ok())
        })
        .as_deref()
}

/// The address of one of the bundle's files (`js`, `wasm`, `css`), hashed when the build hashed it.
fn href(options: &LeptosOptions, kind: &str) -> String {
    let name = &options.output_name;
    let pkg = &options.site_pkg_dir;
    match hashes(options).and_then(|text| hash_of(text, kind)) {
        Some(hash) => format!("/{pkg}/{name}.{hash}.{kind}"),
        None => format!("/{pkg}/{name}.{kind}"),
    }
}

/// The stylesheet's address.
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| href(options, "css"))
}

/// The addresses of the bundle's JavaScript glue and of its wasm, for the hydration script.
pub fn bundle_hrefs(options: &LeptosOptions) -> (&'static str, &'static str) {
    static HREFS: OnceLock<(String, String)> = OnceLock::new();
    let (js, wasm) = HREFS.get_or_init(|| (href(options, "js"), href(options, "wasm")));
    (js, wasm)
}

#[cfg(test)]
mod tests {
    use super::hash_of;

    #[test]
    fn reads_each_kind_of_hash() {
        let text = "js: 0123abcd\nwasm: 4567ef00\ncss: 89abcdef\n";
        assert_eq!(hash_of(text, "css"), Some("89abcdef"));
        assert_eq!(hash_of(text, "wasm"), Some("4567ef00"));
        assert_eq!(hash_of(text, "split"), None);
    }
}
