//! The curriculum on disk: reading `content/`, validating it, and rendering lessons.
//!
//! The data path starts here: files → [`load_library`] → (the catalogue service writes it to the database) →
//! pages. Loading never stops at the first problem: every error is collected with its `path:line:column`, a
//! module with any error is left out whole, and every other module still loads.

mod diagnostics;
mod freshness;
mod front_matter;
mod loader;
mod markdown;
mod model;
mod pathways;
mod published;
mod slug;

pub use diagnostics::{ContentError, line_and_column};
pub use freshness::{ReviewFlag, ReviewPolicy, review_warnings};
pub(crate) use loader::byte_order_mark_stripped;
pub use loader::{LoadReport, check_module_files, load_changes, load_library};
pub use markdown::{
    MAX_MARKDOWN_BYTES, MAX_NESTING, RenderedMarkdown, refuse_unbounded, render_markdown,
};
pub use model::{
    AssessmentSpec, CheckedOn, Competency, CompletionRule, Framework, Library, LoadedLesson,
    LoadedModule, OptionSpec, Pathway, PathwayStep, QuestionKind, QuestionSpec, RevealAnswers,
};
pub use published::{PublishedLesson, PublishedModule, PublishedModules};
pub use slug::{heading_anchor, is_valid_slug};

/// The plain text of a lesson file's body as stored (front matter left out), for indexing versions whose
/// files are kept but were never loaded by this process (a module published in the browser, say). `None`
/// for a file that is not a lesson.
pub fn lesson_file_text(file: &str, module_slug: &str) -> Option<String> {
    let split = front_matter::split(loader::byte_order_mark_stripped(file)).ok()?;
    Some(render_markdown(split.body, module_slug).text)
}
