//! A module as a zip of its `content/` folder: `<slug>/module.toml`, `<slug>/01-....md`, `<slug>/assessment.toml`.
//!
//! Export is byte-stable (files in name order, a fixed timestamp and mode), so exporting, importing and
//! exporting again gives the same bytes. Import accepts only what a module folder may hold, within size
//! limits, so a crafted archive cannot escape the folder or exhaust memory.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::ssr::content::is_valid_slug;

/// The most files a module archive may hold.
pub(crate) const MAX_FILES: usize = 200;
/// The most bytes one file may unpack to.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The most bytes the whole archive may unpack to.
pub(crate) const MAX_TOTAL_BYTES: u64 = 8 * 1024 * 1024;

/// Why an archive could not be read as a module folder; each names the entry at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArchiveError {
    #[error("the file is not a zip archive ({0})")]
    NotZip(String),
    #[error("the archive is empty: it should hold one module folder")]
    Empty,
    #[error("the archive holds more than {MAX_FILES} files")]
    TooManyFiles,
    #[error("`{0}` is too large (the limit is 1 MiB a file and 8 MiB in all)")]
    TooLarge(String),
    #[error(
        "`{0}` is not inside one module folder: the archive should hold `<module-slug>/module.toml` and its lessons"
    )]
    Misplaced(String),
    #[error("the archive holds more than one module folder (`{0}` and `{1}`)")]
    SeveralModules(String, String),
    #[error(
        "`{0}` is not a valid module address: use lower-case letters, digits and hyphens (at most 64)"
    )]
    BadSlug(String),
    #[error("`{0}` is not UTF-8 text")]
    NotText(String),
    #[error("the archive holds two files with the same name: which copy is meant cannot be told")]
    Duplicate,

    #[error("`{0}` cannot be read from the archive ({1})")]
    Unreadable(String, String),
}

/// Writes the module's files as `<slug>/<name>` entries.
pub fn export(slug: &str, files: &BTreeMap<String, String>) -> Result<Vec<u8>, ArchiveError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let failed =
        |e: &dyn std::fmt::Display| ArchiveError::Unreadable(slug.to_owned(), e.to_string());
    for (name, text) in files {
        writer
            .start_file(format!("{slug}/{name}"), options)
            .map_err(|e| failed(&e))?;
        writer.write_all(text.as_bytes()).map_err(|e| failed(&e))?;
    }
    let cursor = writer.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

/// The number of entries the end-of-central-directory record declares; `None` when it cannot be found or
/// defers to ZIP64 (0xFFFF), where the reader's own count is used alone.
fn declared_entries(bytes: &[u8]) -> Option<usize> {
    const SIGNATURE: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const RECORD: usize = 22;
    let earliest = bytes.len().saturating_sub(RECORD + usize::from(u16::MAX));
    let start = (earliest..=bytes.len().checked_sub(RECORD)?)
        .rev()
        .find(|&at| bytes.get(at..at + 4) == Some(&SIGNATURE[..]))?;
    let total = u16::from_le_bytes([*bytes.get(start + 10)?, *bytes.get(start + 11)?]);
    (total != u16::MAX).then_some(usize::from(total))
}

/// Reads an archive made by [`export`] (or by zipping a `content/modules/<slug>` folder): the module's slug
/// and its files by name. Folder entries and hidden files (`.DS_Store`) are skipped.
pub fn import(bytes: &[u8]) -> Result<(String, BTreeMap<String, String>), ArchiveError> {
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    if archive.len() > MAX_FILES {
        return Err(ArchiveError::TooManyFiles);
    }
    // The reader folds entries with the same name into one (the last wins): compare with the count the
    // archive itself declares, so a crafted duplicate is refused instead of imported silently.
    if declared_entries(bytes).is_some_and(|declared| declared != archive.len()) {
        return Err(ArchiveError::Duplicate);
    }
    let mut slug: Option<String> = None;
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| ArchiveError::Unreadable(format!("entry {index}"), e.to_string()))?;
        let raw_name = entry
            .name()
            .map(|n| n.into_owned())
            .map_err(|e| ArchiveError::Unreadable(format!("entry {index}"), e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        let parts: Vec<&str> = raw_name.split('/').filter(|p| !p.is_empty()).collect();
        // macOS Finder adds `__MACOSX/<folder>/._<file>` copies of resource forks: not part of the module.
        if parts.first() == Some(&"__MACOSX") {
            continue;
        }
        let (folder, name) = match parts.as_slice() {
            [folder, name] => (*folder, *name),
            _ => return Err(ArchiveError::Misplaced(raw_name)),
        };
        // A path that climbs out (`../x.md`) is refused before anything else is judged about it.
        if folder == ".." || folder == "." || name.contains('\\') || name == ".." {
            return Err(ArchiveError::Misplaced(raw_name));
        }
        if name.starts_with('.') || folder == "__MACOSX" {
            continue;
        }
        match &slug {
            None => {
                if !is_valid_slug(folder) {
                    return Err(ArchiveError::BadSlug(folder.to_owned()));
                }
                slug = Some(folder.to_owned());
            }
            Some(first) if first != folder => {
                return Err(ArchiveError::SeveralModules(
                    first.clone(),
                    folder.to_owned(),
                ));
            }
            Some(_) => {}
        }
        if entry.size() > MAX_FILE_BYTES {
            return Err(ArchiveError::TooLarge(raw_name));
        }
        // The declared size can lie: read at most one byte past the limit to find out.
        let mut bytes = Vec::new();
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ArchiveError::Unreadable(raw_name.clone(), e.to_string()))?;
        total += bytes.len() as u64;
        if bytes.len() as u64 > MAX_FILE_BYTES || total > MAX_TOTAL_BYTES {
            return Err(ArchiveError::TooLarge(raw_name));
        }
        let text = String::from_utf8(bytes).map_err(|_| ArchiveError::NotText(raw_name.clone()))?;
        files.insert(name.to_owned(), text);
    }
    match slug {
        Some(slug) if !files.is_empty() => Ok((slug, files)),
        _ => Err(ArchiveError::Empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_files() -> BTreeMap<String, String> {
        [
            ("module.toml", "title = \"A\"\n"),
            ("01-intro.md", "+++\nslug = \"intro\"\n+++\n\nHello ✓\n"),
            ("assessment.toml", "pass_mark = 70\n"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn export_then_import_gives_the_same_files_and_the_same_bytes_again() {
        let files = module_files();
        let first = export("clinical-safety", &files).expect("export");
        let (slug, back) = import(&first).expect("import");
        assert_eq!(slug, "clinical-safety");
        assert_eq!(back, files);
        assert_eq!(export(&slug, &back).expect("export again"), first);
    }

    #[test]
    fn entries_outside_one_module_folder_are_refused() {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("../escape.md", SimpleFileOptions::default())
            .expect("start");
        writer.write_all(b"x").expect("write");
        let bytes = writer.finish().expect("finish").into_inner();
        assert!(matches!(import(&bytes), Err(ArchiveError::Misplaced(_))));
    }

    #[test]
    fn two_module_folders_in_one_archive_are_refused() {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for name in ["one/module.toml", "two/module.toml"] {
            writer
                .start_file(name, SimpleFileOptions::default())
                .expect("start");
            writer.write_all(b"title = \"x\"\n").expect("write");
        }
        let bytes = writer.finish().expect("finish").into_inner();
        assert_eq!(
            import(&bytes),
            Err(ArchiveError::SeveralModules("one".into(), "two".into()))
        );
    }

    #[test]
    fn a_zip_made_by_macos_finder_imports() {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in [
            ("safety/module.toml", "title = \"x\"\n"),
            ("__MACOSX/safety/._module.toml", "resource fork"),
            ("safety/.DS_Store", "finder"),
        ] {
            writer
                .start_file(name, SimpleFileOptions::default())
                .expect("start");
            writer.write_all(text.as_bytes()).expect("write");
        }
        let bytes = writer.finish().expect("finish").into_inner();
        let (slug, files) = import(&bytes).expect("import");
        assert_eq!(slug, "safety");
        assert_eq!(files.keys().collect::<Vec<_>>(), ["module.toml"]);
    }

    /// A zip written entry by entry, each stored with deflate as a real tool would.
    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("start");
            writer.write_all(bytes).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    #[test]
    fn the_same_file_twice_is_refused_not_silently_overwritten() {
        // The zip writer refuses to write a name twice, so the second name is patched in afterwards, as a
        // crafted archive would carry it (names are not covered by the checksums).
        let bytes = zip_of(&[
            ("safety/module.toml", b"title = \"first\"\n"),
            ("safety/module.tomx", b"title = \"second\"\n"),
        ]);
        let (from, to) = (b"module.tomx", b"module.toml");
        let mut crafted = bytes.clone();
        let mut at = 0;
        while let Some(found) = crafted[at..].windows(from.len()).position(|w| w == from) {
            crafted[at + found..at + found + to.len()].copy_from_slice(to);
            at += found + to.len();
        }
        assert!(at > 0, "the second name was patched");
        assert_eq!(import(&crafted), Err(ArchiveError::Duplicate));
        assert!(
            import(&bytes).is_ok(),
            "the same archive without the duplicate imports"
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_without_unpacking_it() {
        // 64 MiB of zeros deflate to about 64 KiB: refused on its size, never held in memory.
        let zeros = vec![0u8; 64 * 1024 * 1024];
        let bytes = zip_of(&[("safety/01-a.md", &zeros)]);
        assert!(bytes.len() < 1024 * 1024, "the test archive is small");
        assert_eq!(
            import(&bytes),
            Err(ArchiveError::TooLarge("safety/01-a.md".into()))
        );
    }

    #[test]
    fn many_files_each_under_the_limit_are_refused_past_the_total() {
        let file = vec![b'a'; 1024 * 1024];
        let names: Vec<String> = (0..9).map(|n| format!("safety/0{n}-a.md")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &file[..])).collect();
        assert_eq!(
            import(&zip_of(&entries)),
            Err(ArchiveError::TooLarge("safety/08-a.md".into()))
        );
    }

    #[test]
    fn a_wrong_layout_is_refused_with_the_entry_named() {
        for (name, expected) in [
            ("module.toml", ArchiveError::Misplaced("module.toml".into())),
            (
                "safety/lessons/01-a.md",
                ArchiveError::Misplaced("safety/lessons/01-a.md".into()),
            ),
            (
                "safety/..\\evil.md",
                ArchiveError::Misplaced("safety/..\\evil.md".into()),
            ),
            (
                "Safety Module/module.toml",
                ArchiveError::BadSlug("Safety Module".into()),
            ),
        ] {
            assert_eq!(import(&zip_of(&[(name, b"x")])), Err(expected), "{name}");
        }
        assert_eq!(import(&zip_of(&[])), Err(ArchiveError::Empty));
        assert_eq!(
            import(&zip_of(&[("safety/01-a.md", &[0xff, 0xfe, 0x00])])),
            Err(ArchiveError::NotText("safety/01-a.md".into()))
        );
    }

    #[test]
    fn a_file_that_is_not_a_zip_says_so() {
        assert!(matches!(import(b"hello"), Err(ArchiveError::NotZip(_))));
    }
}
