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

/// The stylesheet's address, hashed when the build hashed it.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let name = &options.output_name;
        let pkg = &options.site_pkg_dir;
        let hashes = options
            .hash_files
            .then(|| hash_file(options))
            .flatten()
            .and_then(|path| std::fs::read_to_string(path).ok());
        match hashes.as_deref().and_then(|text| hash_of(text, "css")) {
            Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
            None => format!("/{pkg}/{name}.css"),
        }
    })
    .clone()
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
