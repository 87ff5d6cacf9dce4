//! Splitting a lesson file into its TOML front matter (between `+++` lines) and its Markdown body.

/// The two parts of a lesson file, with the byte offsets where each starts (for error positions).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Split<'a> {
    pub front_matter: &'a str,
    pub front_matter_offset: usize,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Why a file could not be split; the message is shown to the author at the file's first line.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum SplitError {
    #[error(
        "a lesson must start with front matter: a line `+++`, the TOML fields, then another `+++`"
    )]
    MissingOpening,
    #[error("the front matter is not closed: add a line `+++` after the last field")]
    MissingClosing,
}

const FENCE: &str = "+++";

pub(super) fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != FENCE {
        return Err(SplitError::MissingOpening);
    }
    let front_matter_offset = (first_line_end + 1).min(text.len());
    let mut line_start = front_matter_offset;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        if text[line_start..line_end].trim_end() == FENCE {
            let body_offset = (line_end + 1).min(text.len());
            return Ok(Split {
                front_matter: &text[front_matter_offset..line_start],
                front_matter_offset,
                body: &text[body_offset..],
                body_offset,
            });
        }
        line_start = line_end + 1;
    }
    Err(SplitError::MissingClosing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body_with_offsets() {
        let text = "+++\ntitle = \"A\"\n+++\nBody\n";
        let split = split(text).expect("valid front matter");
        assert_eq!(split.front_matter, "title = \"A\"\n");
        assert_eq!(split.front_matter_offset, 4);
        assert_eq!(split.body, "Body\n");
        assert_eq!(&text[split.body_offset..], "Body\n");
    }

    #[test]
    fn accepts_windows_line_endings() {
        let split = split("+++\r\na = 1\r\n+++\r\nBody").expect("valid front matter");
        assert_eq!(split.front_matter, "a = 1\r\n");
        assert_eq!(split.body, "Body");
    }

    #[test]
    fn rejects_a_file_without_an_opening_fence() {
        assert_eq!(split("# Title\n"), Err(SplitError::MissingOpening));
    }

    #[test]
    fn rejects_front_matter_that_never_closes() {
        assert_eq!(
            split("+++\ntitle = \"A\"\n"),
            Err(SplitError::MissingClosing)
        );
    }
}
