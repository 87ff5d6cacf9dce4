//! Reads a content folder, validates it, and reports every problem together.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use toml::Spanned;

use super::diagnostics::{ContentError, SourceFile, file_error, line_and_column};
use super::front_matter;
use super::markdown::{InternalLink, render_markdown};
use super::model::{
    AssessmentFile, AssessmentSpec, CheckedOn, Competency, Framework, FrameworkFile,
    LessonFrontMatter, Library, LoadedLesson, LoadedModule, ModuleManifest, QuestionKind,
    QuestionSpec,
};
use super::published::PublishedModules;
use super::slug::is_valid_slug;

/// What loading produced: the content that is sound, and every problem with the rest.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub library: Library,
    /// Sorted by path, line and column.
    pub errors: Vec<ContentError>,
    /// Modules whose files are exactly what the database already serves (slug and published version): read
    /// and hashed, not checked or rendered again, and not in `library`. Always empty for [`load_library`].
    pub unchanged: Vec<(String, i32)>,
    /// Why every module was checked again although some had not changed, for the start-up log.
    pub checked_everything_because: Option<String>,
}

/// Loads `root` (a folder holding `frameworks/` and `modules/`), every module checked and rendered: what
/// `check` does.
///
/// A framework or module with any error is left out of the library whole; everything else loads.
pub fn load_library(root: &Path) -> LoadReport {
    load_changes(root, &PublishedModules::default())
}

/// Loads `root` as [`load_library`] does, except that a module whose files are exactly those of its
/// `published` version is only read and hashed (listed in `unchanged`): what start-up does, so a restart
/// with unchanged content renders nothing.
///
/// Changed modules are judged as `check` judges them, their links against the unchanged modules' published
/// headings. When a change could break what an unchanged module says (a module, lesson or heading it may
/// link to is gone, or a framework no longer has a competency it aligns to), every module is loaded again
/// instead, so the problem is reported where it is.
pub fn load_changes(root: &Path, published: &PublishedModules) -> LoadReport {
    let mut report = LoadReport::default();
    if !root.is_dir() {
        report.errors.push(file_error(
            root,
            "content folder not found (set CONTENT_DIR or pass --content)",
        ));
        return report;
    }

    let frameworks = load_frameworks(&root.join("frameworks"), &mut report.errors);
    let framework_index = competency_index(&frameworks);

    let modules_dir = root.join("modules");
    let mut folders = Vec::new();
    for entry in sorted_entries(&modules_dir, &mut report.errors) {
        if entry.is_dir() {
            folders.push(entry);
        } else if !is_hidden(&entry) {
            report.errors.push(file_error(
                &entry,
                "unexpected file: each module is a folder under `modules/`",
            ));
        }
    }
    // Modules are read and rendered independently, so they are spread over the machine's cores.
    let read: Vec<ReadModule> = on_every_core(&folders, |folder| {
        let (files, read_errors) = read_module_folder(folder);
        let slug = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if read_errors.is_empty()
            && files.keys().all(|name| is_module_file(name))
            && files.values().all(|text| !text.contains('\0'))
            && let Some(found) = published.unchanged(&slug, &module_content_hash(&files))
        {
            return ReadModule::Unchanged {
                version: found.version,
                slug,
            };
        }
        let mut module = parse_module(&slug, folder, files, &framework_index);
        module.errors.extend(read_errors);
        ReadModule::Parsed(Box::new(module))
    });
    let mut parsed = Vec::with_capacity(read.len());
    for module in read {
        match module {
            ReadModule::Unchanged { slug, version } => report.unchanged.push((slug, version)),
            ReadModule::Parsed(module) => parsed.push(*module),
        }
    }
    if let Some(reason) =
        unchanged_modules_at_risk(&report.unchanged, &parsed, published, &framework_index)
    {
        let mut everything = load_library(root);
        everything.checked_everything_because = Some(reason);
        return everything;
    }

    let module_slugs: HashSet<&str> = parsed
        .iter()
        .map(|p| p.module.slug.as_str())
        .chain(report.unchanged.iter().map(|(slug, _)| slug.as_str()))
        .collect();
    let pathways = super::pathways::load_pathways(
        &root.join("pathways"),
        &module_slugs,
        &framework_index,
        &mut report.errors,
    );

    // Every lesson that parsed, broken module or not, so links are judged against what authors wrote; and
    // the published lessons of the modules that did not change.
    let link_errors: Vec<Vec<ContentError>> = {
        let mut anchors: HashMap<(&str, &str), &HashSet<String>> = parsed
            .iter()
            .flat_map(|p| {
                p.lesson_anchors.iter().map(move |(lesson, anchors)| {
                    ((p.module.slug.as_str(), lesson.as_str()), anchors)
                })
            })
            .collect();
        for (slug, _) in &report.unchanged {
            for lesson in published.modules.get(slug).iter().flat_map(|m| &m.lessons) {
                anchors.insert((slug.as_str(), lesson.slug.as_str()), &lesson.anchors);
            }
        }
        parsed
            .iter()
            .map(|module| broken_links(module, &anchors))
            .collect()
    };
    let mut outcomes = Vec::with_capacity(parsed.len());
    for (mut module, errors) in parsed.into_iter().zip(link_errors) {
        module.errors.extend(errors);
        outcomes.push(module);
    }

    for outcome in outcomes {
        if outcome.errors.is_empty() {
            report.library.modules.push(outcome.module);
        } else {
            report.errors.extend(outcome.errors);
        }
    }
    report.library.frameworks = frameworks;
    report.library.pathways = pathways;
    report
        .library
        .modules
        .sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.slug.cmp(&b.slug)));
    report
        .errors
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    report
}

/// A module folder as first read: either exactly its published version, or parsed and checked on its own.
enum ReadModule {
    Unchanged { slug: String, version: i32 },
    Parsed(Box<ParsedModule>),
}

/// Why the unchanged modules cannot be taken as still sound, if they cannot: a published module's folder
/// gone, a changed module that would publish without a lesson or heading its published version had, or an
/// unchanged module aligned to a competency the frameworks no longer hold.
fn unchanged_modules_at_risk(
    unchanged: &[(String, i32)],
    parsed: &[ParsedModule],
    published: &PublishedModules,
    frameworks: &HashMap<&str, HashSet<&str>>,
) -> Option<String> {
    if unchanged.is_empty() {
        return None;
    }
    let folders: HashSet<&str> = unchanged
        .iter()
        .map(|(slug, _)| slug.as_str())
        .chain(parsed.iter().map(|p| p.module.slug.as_str()))
        .collect();
    if let Some(gone) = published
        .listed
        .iter()
        .find(|slug| !folders.contains(slug.as_str()))
    {
        return Some(format!(
            "the folder of module `{gone}` is gone, and another module may link to its lessons"
        ));
    }
    // A changed module with errors keeps its published version, but is judged all the same: it will be
    // published once its errors are fixed, and what it takes away is best reported now.
    if let Some(module) = parsed
        .iter()
        .find(|p| published.loses_a_link_target(&p.module.slug, &p.lesson_anchors))
    {
        return Some(format!(
            "module `{}` no longer has a lesson or heading it had, which another module may link to",
            module.module.slug
        ));
    }
    unchanged.iter().find_map(|(slug, _)| {
        let module = published.modules.get(slug)?;
        module
            .alignments
            .iter()
            .find_map(|alignment| alignment_problem(alignment, frameworks))
            .map(|problem| {
                format!(
                    "module `{slug}` was published against frameworks that changed since: {problem}"
                )
            })
    })
}

/// Whether a file name is one a module may hold; anything else is reported by the full check.
fn is_module_file(name: &str) -> bool {
    name == "module.toml" || name == "assessment.toml" || name.ends_with(".md")
}

/// SHA-256 over a module's files (byte-order marks already stripped): `module.toml`, then each lesson by
/// file name with its name, then `assessment.toml`. Changes exactly when a file the module is made of does.
pub(crate) fn module_content_hash(files: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    if let Some(text) = files.get("module.toml") {
        hasher.update(b"module.toml\0");
        hasher.update(text.as_bytes());
    }
    for (name, text) in files.iter().filter(|(name, _)| name.ends_with(".md")) {
        hasher.update(name.as_bytes());
        hasher.update(b"\0");
        hasher.update(text.as_bytes());
    }
    if let Some(text) = files.get("assessment.toml") {
        hasher.update(b"assessment.toml\0");
        hasher.update(text.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// `work` applied to every item, spread over the available cores in contiguous runs; results in item order.
fn on_every_core<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if cores < 2 || items.len() < 2 {
        return items.iter().map(&work).collect();
    }
    let run = items.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(run)
            .map(|chunk| scope.spawn(|| chunk.iter().map(&work).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(results) => results,
                // A panic in one worker is a bug in the loader: surface it as such.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The lesson links of one module that point at no lesson or heading in `anchors` (module, lesson → anchors).
fn broken_links(
    module: &ParsedModule,
    anchors: &HashMap<(&str, &str), &HashSet<String>>,
) -> Vec<ContentError> {
    module
        .lesson_links
        .iter()
        .filter_map(|(link, error)| {
            let message = match anchors.get(&(link.module.as_str(), link.lesson.as_str())) {
                None => format!(
                    "broken link `{}`: module `{}` has no lesson `{}`",
                    link.written, link.module, link.lesson
                ),
                Some(found) => match &link.anchor {
                    Some(anchor) if !found.contains(anchor) => format!(
                        "broken link `{}`: lesson `{}` has no heading with anchor `{anchor}`",
                        link.written, link.lesson
                    ),
                    _ => return None,
                },
            };
            Some(ContentError {
                message,
                ..error.clone()
            })
        })
        .collect()
}

/// Every file of a module folder as text, by name; hidden files are skipped, sub-folders and unreadable
/// files are reported.
fn read_module_folder(folder: &Path) -> (BTreeMap<String, String>, Vec<ContentError>) {
    let mut errors = Vec::new();
    let mut files = BTreeMap::new();
    for path in sorted_entries(folder, &mut errors) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            errors.push(file_error(&path, "file name is not valid UTF-8"));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if !path.is_file() {
            errors.push(file_error(
                &path,
                "unexpected folder: a module holds module.toml, assessment.toml and `.md` lessons only",
            ));
            continue;
        }
        if let Some(text) = read_text(&path, &mut errors) {
            files.insert(name.to_owned(), text);
        }
    }
    (files, errors)
}

/// Checks one module held as text (a browser draft, or an import) exactly as `check` checks a folder.
///
/// `folder` only names the files in errors. Links to other modules are judged against `other_lessons`
/// (module slug, lesson slug → heading anchors); links within the module against the files themselves.
pub fn check_module_files(
    slug: &str,
    folder: &Path,
    files: BTreeMap<String, String>,
    frameworks: &[Framework],
    other_lessons: &HashMap<(String, String), HashSet<String>>,
) -> Result<LoadedModule, Vec<ContentError>> {
    let framework_index = competency_index(frameworks);
    let mut parsed = parse_module(slug, folder, files, &framework_index);
    let mut anchors: HashMap<(&str, &str), &HashSet<String>> = other_lessons
        .iter()
        .filter(|((module, _), _)| module != slug)
        .map(|((module, lesson), anchors)| ((module.as_str(), lesson.as_str()), anchors))
        .collect();
    for (lesson, lesson_anchors) in &parsed.lesson_anchors {
        anchors.insert((slug, lesson.as_str()), lesson_anchors);
    }
    let link_errors = broken_links(&parsed, &anchors);
    parsed.errors.extend(link_errors);
    if parsed.errors.is_empty() {
        Ok(parsed.module)
    } else {
        parsed
            .errors
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        Err(parsed.errors)
    }
}

/// Each framework's competency codes by framework id, for checking `framework:code` alignments.
fn competency_index(frameworks: &[Framework]) -> HashMap<&str, HashSet<&str>> {
    frameworks
        .iter()
        .map(|f| {
            (
                f.id.as_str(),
                f.competencies.iter().map(|c| c.code.as_str()).collect(),
            )
        })
        .collect()
}

pub(super) fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// The entries of a folder in name order; a missing folder is reported and yields nothing.
pub(super) fn sorted_entries(dir: &Path, errors: &mut Vec<ContentError>) -> Vec<PathBuf> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            paths
        }
        Err(e) => {
            errors.push(file_error(dir, format!("cannot read folder: {e}")));
            Vec::new()
        }
    }
}

/// A file's text, without the byte-order mark Windows editors such as Notepad put at the start of UTF-8
/// files: it is not part of the text, and left in it would hide the opening `+++` of a lesson.
pub(super) fn read_text(path: &Path, errors: &mut Vec<ContentError>) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(text) => Some(without_byte_order_mark(text)),
        Err(e) => {
            errors.push(file_error(path, format!("cannot read file: {e}")));
            None
        }
    }
}

/// `text` without the UTF-8 byte-order mark Windows Notepad starts files with, if it has one.
pub(crate) fn byte_order_mark_stripped(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn without_byte_order_mark(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// Reads a `checked = "YYYY-MM-DD"` value written at `offset` in `source`, or explains what is wrong with it.
fn checked_on(
    value: &str,
    source: &SourceFile<'_>,
    offset: usize,
) -> Result<CheckedOn, ContentError> {
    match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(date) if value.len() == 10 => {
            let (line, column) = line_and_column(source.text, offset);
            Ok(CheckedOn {
                date,
                path: source.path.to_path_buf(),
                line,
                column,
            })
        }
        _ => Err(source.error_at(
            offset,
            format!(
                "`checked` must be the date the facts were last checked, written YYYY-MM-DD (for example \
                 2026-12-01), not `{value}`"
            ),
        )),
    }
}

/// The text a lesson's content hash is taken over: the file without its `checked = …` line, so confirming
/// that a lesson is still right does not mark it changed for every learner who has completed it.
fn without_checked_line<'t>(
    text: &'t str,
    checked: Option<&Spanned<String>>,
    fm: usize,
) -> std::borrow::Cow<'t, str> {
    let Some(checked) = checked else {
        return std::borrow::Cow::Borrowed(text);
    };
    let at = fm + checked.span().start;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    std::borrow::Cow::Owned(format!("{}{}", &text[..start], &text[end..]))
}

/// Longest title, in characters, for a module or a lesson: it must fit a heading, a card and a record.
pub(super) const MAX_TITLE_CHARS: usize = 150;
/// Longest module summary, in characters: it is shown whole on every catalogue card.
pub(super) const MAX_SUMMARY_CHARS: usize = 1_000;

/// The title, summary and audience every module and pathway carries, in that order: each must say
/// something, and none may run on (a page heading, a catalogue card).
pub(super) fn check_description(
    [title, summary, audience]: [&Spanned<String>; 3],
    source: &SourceFile<'_>,
    errors: &mut Vec<ContentError>,
) {
    for (field, value, max) in [
        ("title", title, MAX_TITLE_CHARS),
        ("summary", summary, MAX_SUMMARY_CHARS),
        ("audience", audience, MAX_SUMMARY_CHARS),
    ] {
        if value.get_ref().trim().is_empty() {
            errors
                .push(source.error_at(value.span().start, format!("`{field}` must not be empty")));
        } else if let Some(message) = too_long(field, value.get_ref(), max) {
            errors.push(source.error_at(value.span().start, message));
        }
    }
}

/// A problem with the length of a one-line field, if it is too long.
pub(super) fn too_long(field: &str, value: &str, max: usize) -> Option<String> {
    let length = value.chars().count();
    (length > max)
        .then(|| format!("`{field}` is {length} characters long: keep it to {max} or fewer"))
}

/// A TOML parse or shape error, placed at its span within `toml_offset..` of the file.
pub(super) fn toml_error(
    source: &SourceFile<'_>,
    toml_offset: usize,
    error: &toml::de::Error,
) -> ContentError {
    let offset = toml_offset + error.span().map_or(0, |s| s.start);
    source.error_at(offset, error.message().trim().to_owned())
}

fn load_frameworks(dir: &Path, errors: &mut Vec<ContentError>) -> Vec<Framework> {
    let mut frameworks = Vec::new();
    // A curriculum need not align to any framework: no `frameworks/` folder simply means none.
    if !dir.exists() {
        return frameworks;
    }
    for path in sorted_entries(dir, errors) {
        if is_hidden(&path) {
            continue;
        }
        let (Some(id), Some("toml")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            errors.push(file_error(
                &path,
                "unexpected file: frameworks are `.toml` files",
            ));
            continue;
        };
        let Some(text) = read_text(&path, errors) else {
            continue;
        };
        let source = SourceFile {
            path: &path,
            text: &text,
        };
        let file: FrameworkFile = match toml::from_str(&text) {
            Ok(file) => file,
            Err(e) => {
                errors.push(toml_error(&source, 0, &e));
                continue;
            }
        };
        let mut problems = Vec::new();
        let checked = checked_on(file.checked.get_ref(), &source, file.checked.span().start)
            .map_err(|e| problems.push(e))
            .ok();
        if !is_valid_slug(id) {
            problems.push(file_error(
                &path,
                format!("framework file name `{id}` is not a valid id: use lower-case letters, digits and hyphens"),
            ));
        }
        if !file.url.get_ref().starts_with("https://") {
            problems.push(source.error_at(
                file.url.span().start,
                "`url` must be a full https:// address",
            ));
        }
        let mut seen = HashSet::new();
        for competency in &file.competencies {
            let code = competency.code.get_ref();
            let valid = !code.is_empty()
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !valid {
                problems.push(source.error_at(
                    competency.code.span().start,
                    format!("competency code `{code}` may contain only letters, digits, dots and hyphens"),
                ));
            } else if !seen.insert(code.clone()) {
                problems.push(source.error_at(
                    competency.code.span().start,
                    format!("duplicate competency code `{code}`"),
                ));
            }
        }
        if let (true, Some(checked)) = (problems.is_empty(), checked) {
            frameworks.push(Framework {
                id: id.to_owned(),
                name: file.name,
                url: file.url.into_inner(),
                checked,
                description: file.description,
                competencies: file
                    .competencies
                    .into_iter()
                    .map(|c| Competency {
                        code: c.code.into_inner(),
                        name: c.name,
                        description: c.description,
                    })
                    .collect(),
            });
        } else {
            errors.extend(problems);
        }
    }
    frameworks
}

/// A module after its own files were checked; its links to other modules are checked afterwards.
struct ParsedModule {
    module: LoadedModule,
    errors: Vec<ContentError>,
    lesson_anchors: Vec<(String, HashSet<String>)>,
    /// Each link with the error to report (message replaced) should it turn out broken.
    lesson_links: Vec<(InternalLink, ContentError)>,
}

/// Checks `framework:code` alignments against the loaded frameworks.
pub(super) fn check_alignments(
    alignments: &[Spanned<String>],
    frameworks: &HashMap<&str, HashSet<&str>>,
    source: &SourceFile<'_>,
    toml_offset: usize,
    errors: &mut Vec<ContentError>,
) -> Vec<String> {
    for alignment in alignments {
        if let Some(message) = alignment_problem(alignment.get_ref(), frameworks) {
            errors.push(source.error_at(toml_offset + alignment.span().start, message));
        }
    }
    alignments.iter().map(|a| a.get_ref().clone()).collect()
}

/// What is wrong with one `framework:code` alignment against the loaded frameworks, if anything.
fn alignment_problem(written: &str, frameworks: &HashMap<&str, HashSet<&str>>) -> Option<String> {
    match written.split_once(':') {
        None => Some(format!(
            "alignment `{written}` must be written `framework:code`, for example `fci:3.2`"
        )),
        Some((framework, code)) => match frameworks.get(framework) {
            None => Some(format!(
                "alignment `{written}` names unknown framework `{framework}` (no content/frameworks/{framework}.toml)"
            )),
            Some(codes) if !codes.contains(code) => Some(format!(
                "alignment `{written}` names unknown code `{code}` in framework `{framework}`"
            )),
            Some(_) => None,
        },
    }
}

/// Checks one question's shape; ids must be unique across the module.
fn check_question(
    question: &Spanned<QuestionSpec>,
    source: &SourceFile<'_>,
    toml_offset: usize,
    seen_ids: &mut HashMap<String, PathBuf>,
    errors: &mut Vec<ContentError>,
) {
    let at = toml_offset + question.span().start;
    let q = question.get_ref();
    let mut problem = |message: String| errors.push(source.error_at(at, message));
    if !is_valid_slug(&q.id) {
        problem(format!(
            "question id `{}` is not valid: use lower-case letters, digits and hyphens",
            q.id
        ));
    } else if let Some(first) = seen_ids.insert(q.id.clone(), source.path.to_path_buf()) {
        problem(format!(
            "duplicate question id `{}` (also used in {})",
            q.id,
            first.display()
        ));
    }
    if q.prompt.trim().is_empty() {
        problem(format!("question `{}` has an empty prompt", q.id));
    }
    if q.explanation.trim().is_empty() {
        problem(format!("question `{}` needs an explanation", q.id));
    }
    let correct = q.options.iter().filter(|o| o.correct).count();
    match q.kind {
        QuestionKind::TrueFalse => {
            if !q.options.is_empty() {
                problem(format!(
                    "true-false question `{}` takes `answer = true|false`, not options",
                    q.id
                ));
            }
            if q.answer.is_none() {
                problem(format!(
                    "true-false question `{}` has no correct answer: add `answer = true` or `answer = false`",
                    q.id
                ));
            }
        }
        QuestionKind::Single | QuestionKind::Multiple => {
            if q.answer.is_some() {
                problem(format!(
                    "question `{}`: `answer` is only for true-false questions; mark options `correct = true`",
                    q.id
                ));
            }
            if q.options.len() < 2 {
                problem(format!("question `{}` needs at least two options", q.id));
            }
            if q.options.iter().any(|o| o.text.trim().is_empty()) {
                problem(format!("question `{}` has an option with no text", q.id));
            }
            if correct == 0 {
                problem(format!(
                    "question `{}` has no correct answer: mark an option `correct = true`",
                    q.id
                ));
            } else if q.kind == QuestionKind::Single && correct > 1 {
                problem(format!(
                    "single-choice question `{}` has {correct} correct options: use kind = \"multiple\" or keep one",
                    q.id
                ));
            }
        }
    }
}

fn hash_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn parse_module(
    slug: &str,
    folder: &Path,
    files: BTreeMap<String, String>,
    frameworks: &HashMap<&str, HashSet<&str>>,
) -> ParsedModule {
    let slug = slug.to_owned();
    let manifest_path = folder.join("module.toml");
    let mut errors = Vec::new();
    let files: BTreeMap<String, String> = files
        .into_iter()
        .map(|(name, text)| (name, without_byte_order_mark(text)))
        .collect();
    for (name, text) in &files {
        if let Some(at) = text.find('\0') {
            let path = folder.join(name);
            errors.push(SourceFile { path: &path, text }.error_at(
                at,
                "the file holds a NUL character, which text never contains: save it again as plain \
                 UTF-8 text (it may have been saved as UTF-16 or by a word processor)",
            ));
        }
    }
    let mut parsed = ParsedModule {
        module: LoadedModule {
            slug: slug.clone(),
            title: String::new(),
            summary: String::new(),
            audience: String::new(),
            estimated_hours: 0.0,
            cpd_hours: 0.0,
            order: 0,
            completion: super::model::CompletionRule::Completed,
            alignments: Vec::new(),
            lessons: Vec::new(),
            assessment: None,
            content_hash: String::new(),
            folder: folder.to_path_buf(),
            files: BTreeMap::new(),
        },
        errors: Vec::new(),
        lesson_anchors: Vec::new(),
        lesson_links: Vec::new(),
    };
    if !is_valid_slug(&slug) {
        errors.push(file_error(
            &manifest_path,
            format!("module folder name `{slug}` is not a valid slug: use lower-case letters, digits and hyphens"),
        ));
    }

    let mut lesson_files = Vec::new();
    let mut assessment_path = None;
    for (name, text) in &files {
        let path = folder.join(name);
        if name == "module.toml" {
            continue;
        }
        if name == "assessment.toml" {
            assessment_path = Some((path, text.as_str()));
        } else if name.ends_with(".md") {
            lesson_files.push((path, text.as_str()));
        } else {
            errors.push(file_error(
                &path,
                "unexpected file: a module holds module.toml, assessment.toml and `.md` lessons only",
            ));
        }
    }

    // module.toml
    let manifest = if let Some(text) = files.get("module.toml") {
        let source = SourceFile {
            path: &manifest_path,
            text,
        };
        match toml::from_str::<ModuleManifest>(text) {
            Ok(manifest) => {
                check_description(
                    [&manifest.title, &manifest.summary, &manifest.audience],
                    &source,
                    &mut errors,
                );
                for (field, value) in [
                    ("estimated_hours", &manifest.estimated_hours),
                    ("cpd_hours", &manifest.cpd_hours),
                ] {
                    let hours = *value.get_ref();
                    if !(hours > 0.0 && hours <= 1000.0) {
                        errors.push(source.error_at(
                            value.span().start,
                            format!("`{field}` must be more than 0 and at most 1000"),
                        ));
                    }
                }
                let alignments =
                    check_alignments(&manifest.alignments, frameworks, &source, 0, &mut errors);
                Some((manifest, alignments))
            }
            Err(e) => {
                errors.push(toml_error(&source, 0, &e));
                None
            }
        }
    } else {
        errors.push(file_error(
            &manifest_path,
            "module.toml is missing: every module folder needs one",
        ));
        None
    };

    // Lessons
    let mut seen_question_ids = HashMap::new();
    let mut seen_slugs: HashMap<String, PathBuf> = HashMap::new();
    if lesson_files.is_empty() {
        errors.push(file_error(
            &manifest_path,
            "module has no lessons: add at least one `.md` file",
        ));
    }
    for (path, text) in &lesson_files {
        let text: &str = text;
        let source = SourceFile { path, text };
        let split = match front_matter::split(text) {
            Ok(split) => split,
            Err(e) => {
                errors.push(source.error_at(0, e.to_string()));
                continue;
            }
        };
        let front: LessonFrontMatter = match toml::from_str(split.front_matter) {
            Ok(front) => front,
            Err(e) => {
                errors.push(toml_error(&source, split.front_matter_offset, &e));
                continue;
            }
        };
        let fm = split.front_matter_offset;
        let lesson_slug = front.slug.get_ref().clone();
        if !is_valid_slug(&lesson_slug) {
            errors.push(source.error_at(
                fm + front.slug.span().start,
                format!("lesson slug `{lesson_slug}` is not valid: use lower-case letters, digits and hyphens"),
            ));
        } else if let Some(first) = seen_slugs.insert(lesson_slug.clone(), path.clone()) {
            errors.push(source.error_at(
                fm + front.slug.span().start,
                format!(
                    "duplicate lesson slug `{lesson_slug}` (also used by {})",
                    first.display()
                ),
            ));
        }
        if front.title.get_ref().trim().is_empty() {
            errors
                .push(source.error_at(fm + front.title.span().start, "`title` must not be empty"));
        } else if let Some(message) = too_long("title", front.title.get_ref(), MAX_TITLE_CHARS) {
            errors.push(source.error_at(fm + front.title.span().start, message));
        }
        let checked = match &front.checked {
            Some(value) => match checked_on(value.get_ref(), &source, fm + value.span().start) {
                Ok(checked) => Some(checked),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None => None,
        };
        if split.body.trim().is_empty() {
            errors.push(source.error_at(
                split.body_offset,
                "the lesson has no text: write its body in Markdown after the closing `+++`",
            ));
        }
        let minutes = *front.minutes.get_ref();
        if !(1..=600).contains(&minutes) {
            errors.push(source.error_at(
                fm + front.minutes.span().start,
                "`minutes` must be between 1 and 600",
            ));
        }
        let outcomes = front.outcomes.get_ref();
        if outcomes.is_empty() || outcomes.len() > 6 || outcomes.iter().any(|o| o.trim().is_empty())
        {
            errors.push(source.error_at(
                fm + front.outcomes.span().start,
                "`outcomes` must list 1 to 6 learning outcomes, none empty",
            ));
        }
        let alignments = check_alignments(&front.alignments, frameworks, &source, fm, &mut errors);
        for question in &front.questions {
            check_question(question, &source, fm, &mut seen_question_ids, &mut errors);
        }

        let rendered = render_markdown(split.body, &slug);
        for (offset, message) in &rendered.problems {
            errors.push(source.error_at(split.body_offset + offset, message.clone()));
        }
        for (offset, anchor) in &rendered.anchor_links {
            if !rendered.anchors.contains(anchor) {
                errors.push(source.error_at(
                    split.body_offset + offset,
                    format!(
                        "broken link `#{anchor}`: this lesson has no heading with anchor `{anchor}`"
                    ),
                ));
            }
        }
        for link in &rendered.lesson_links {
            let error = source.error_at(split.body_offset + link.offset, String::new());
            parsed.lesson_links.push((link.clone(), error));
        }
        parsed
            .lesson_anchors
            .push((lesson_slug.clone(), rendered.anchors.clone()));
        parsed.module.lessons.push(LoadedLesson {
            slug: lesson_slug,
            title: front.title.into_inner(),
            minutes,
            outcomes: front.outcomes.into_inner(),
            alignments,
            questions: front
                .questions
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            anchors: {
                let mut anchors: Vec<String> = rendered.anchors.iter().cloned().collect();
                anchors.sort_unstable();
                anchors
            },
            html: rendered.html,
            content_hash: hash_hex(
                without_checked_line(text, front.checked.as_ref(), fm).as_bytes(),
            ),
            word_count: rendered.word_count,
            text: rendered.text,
            checked,
            path: path.clone(),
        });
    }

    // assessment.toml
    if let Some((path, text)) = &assessment_path {
        let source = SourceFile { path, text };
        match toml::from_str::<AssessmentFile>(text) {
            Ok(file) => {
                let pass_mark = *file.pass_mark.get_ref();
                if !(1..=100).contains(&pass_mark) {
                    errors.push(source.error_at(
                        file.pass_mark.span().start,
                        "`pass_mark` must be between 1 and 100",
                    ));
                }
                if let Some(max) = &file.max_attempts
                    && *max.get_ref() == 0
                {
                    errors.push(source.error_at(
                        max.span().start,
                        "`max_attempts` must be at least 1 (leave it out for unlimited)",
                    ));
                }
                if let (Some(cooldown), None) = (&file.cooldown_hours, &file.max_attempts) {
                    errors.push(source.error_at(
                        cooldown.span().start,
                        "`cooldown_hours` needs `max_attempts`: with unlimited attempts there is nothing to wait for",
                    ));
                }
                if file.questions.is_empty() {
                    errors.push(file_error(
                        path,
                        "the assessment has no questions: add `[[questions]]`",
                    ));
                }
                for question in &file.questions {
                    check_question(question, &source, 0, &mut seen_question_ids, &mut errors);
                }
                parsed.module.assessment = Some(AssessmentSpec {
                    pass_mark,
                    max_attempts: file.max_attempts.map(Spanned::into_inner),
                    cooldown_hours: file.cooldown_hours.map(Spanned::into_inner),
                    reveal_answers: file
                        .reveal_answers
                        .map(Spanned::into_inner)
                        .unwrap_or_default(),
                    questions: file
                        .questions
                        .into_iter()
                        .map(Spanned::into_inner)
                        .collect(),
                });
            }
            Err(e) => errors.push(toml_error(&source, 0, &e)),
        }
    }

    if let Some((manifest, alignments)) = manifest {
        if manifest.completion.needs_assessment() && assessment_path.is_none() {
            errors.push(file_error(
                &manifest_path,
                format!(
                    "completion `{}` needs an assessment: add assessment.toml or use `completed`",
                    manifest.completion.as_str()
                ),
            ));
        }
        let module = &mut parsed.module;
        module.title = manifest.title.into_inner();
        module.summary = manifest.summary.into_inner();
        module.audience = manifest.audience.into_inner();
        module.estimated_hours = manifest.estimated_hours.into_inner();
        module.cpd_hours = manifest.cpd_hours.into_inner();
        module.order = manifest.order;
        module.completion = manifest.completion;
        module.alignments = alignments;
    }
    parsed.module.content_hash = module_content_hash(&files);
    parsed.module.files = files;
    parsed.errors = errors;
    parsed
}
