//! The built files' names. `scripts/build` names each file after a hash of its contents and lists the hashes
//! in a file beside the server binary (`hash.txt`, the file Leptos reads for its own scripts), so browsers can
//! keep the files for a year and a new release is never served from an old cache. There is one browser
//! bundle per [`Bundle`] (`bundles.rs`): `<name>-<bundle>.<hash>.js` and `.wasm`, listed as
//! `js-<bundle>` and `wasm-<bundle>`.

use std::path::PathBuf;
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

use crate::bundles::Bundle;

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

/// The hash of one kind of file (`css`, `js-reading`, `wasm-reading`…) from a hash file's text.
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

/// The address of a built file (`stem.hash.extension`), `kind` naming its line in the hash file; `None` when
/// the build did not hash its files.
fn hashed_href(options: &LeptosOptions, stem: &str, extension: &str, kind: &str) -> Option<String> {
    let hash = hash_of(hashes(options)?, kind)?;
    Some(format!(
        "/{}/{stem}.{hash}.{extension}",
        options.site_pkg_dir
    ))
}

/// The address of a file the build did not hash: `cargo leptos watch` builds one bundle with every page.
fn plain_href(options: &LeptosOptions, extension: &str) -> String {
    format!(
        "/{}/{}.{extension}",
        options.site_pkg_dir, options.output_name
    )
}

/// The stylesheet's address.
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        hashed_href(options, &options.output_name, "css", "css")
            .unwrap_or_else(|| plain_href(options, "css"))
    })
}

/// The addresses of a bundle's JavaScript glue and of its wasm, for the hydration script.
pub fn bundle_hrefs(options: &LeptosOptions, bundle: Bundle) -> (&'static str, &'static str) {
    static HREFS: OnceLock<[(String, String); Bundle::ALL.len()]> = OnceLock::new();
    let all = HREFS.get_or_init(|| {
        Bundle::ALL.map(|bundle| {
            let (name, stem) = (
                bundle.name(),
                format!("{}-{}", options.output_name, bundle.name()),
            );
            let js = hashed_href(options, &stem, "js", &format!("js-{name}"));
            let wasm = hashed_href(options, &stem, "wasm", &format!("wasm-{name}"));
            (
                js.unwrap_or_else(|| plain_href(options, "js")),
                wasm.unwrap_or_else(|| plain_href(options, "wasm")),
            )
        })
    });
    // `Bundle::ALL` lists the bundles in declaration order, so a bundle's discriminant is its place in it.
    let (js, wasm) = &all[bundle as usize];
    (js, wasm)
}

#[cfg(test)]
mod tests {
    use super::hash_of;

    #[test]
    fn reads_each_kind_of_hash() {
        let text = "js-reading: 0123abcd\nwasm-reading: 4567ef00\ncss: 89abcdef\n";
        assert_eq!(hash_of(text, "css"), Some("89abcdef"));
        assert_eq!(hash_of(text, "wasm-reading"), Some("4567ef00"));
        assert_eq!(hash_of(text, "wasm-learner"), None);
        assert_eq!(hash_of(text, "split"), None);
    }
}
