//! Content errors that point at the exact place to fix: `path:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a content file. Displayed the way compilers print errors, so editors can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// A file's text with the means to turn a byte offset into a line and column.
pub(super) struct SourceFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl SourceFile<'_> {
    /// An error at a byte offset in the file (clamped to the file's length).
    pub fn error_at(&self, offset: usize, message: impl Into<String>) -> ContentError {
        let (line, column) = line_and_column(self.text, offset);
        ContentError {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// The 1-based line and column (in characters) of a byte offset in `text`, clamped to its length: where an
/// editor puts the cursor for a problem found at that offset.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before.get(line_start..).map_or(0, |s| s.chars().count()) + 1,
    )
}

/// An error about a whole file (a missing one, or one that cannot be read), placed at its first character.
pub(super) fn file_error(path: &Path, message: impl Into<String>) -> ContentError {
    ContentError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: message.into(),
    }
}
