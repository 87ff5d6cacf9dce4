//! Property tests over the parsers that take input from outside (issue 14): lesson files through the whole
//! content pipeline, Markdown on its own, quiz answers from a form, zip archives for import and records
//! presented for verification. Each property runs 256 generated cases here (`PROPTEST_CASES` raises it:
//! `scripts/fuzz` runs many more, figures in RELIABILITY.md). None may panic; each must answer as below.

use app::ssr::content::{Library, check_module_files, load_library, render_markdown};
use app::ssr::services::authoring::archive;
use app::ssr::services::quizzes::{answer_key, mark, parse_answers};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The inside of every tag in `html` (`a href="…"` for `<a href="…">`); a `>` inside a quoted attribute
/// value does not end the tag.
fn tags(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let inside = &rest[open + 1..];
        let mut quoted = false;
        let end = inside
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(inside.len(), |(at, _)| at);
        found.push(&inside[..end]);
        rest = &inside[end..];
    }
    found
}

/// The tags and attributes lesson HTML may hold: what Markdown itself produces, and nothing an author could
/// use to run script, load something from elsewhere or restyle the page.
fn allowed(tag: &str, attribute: Option<&str>) -> bool {
    let attributes: &[&str] = match tag {
        "p" | "ul" | "li" | "blockquote" | "em" | "strong" | "del" | "table" | "thead"
        | "tbody" | "tr" | "th" | "td" | "br" | "hr" => &[],
        "h2" | "h3" | "h4" | "h5" | "h6" => &["id"],
        "ol" => &["start"],
        "pre" => &["tabindex"],
        "code" | "sup" => &["class"],
        "div" => &["class", "id"],
        "a" => &["href", "title"],
        "img" => &["src", "alt", "title"],
        _ => return false,
    };
    attribute.is_none_or(|name| attributes.contains(&name))
}

/// A tag's name and its attributes' names (values are double-quoted, with any `"` inside escaped).
fn tag_and_attributes(inside: &str) -> (String, Vec<String>) {
    let inside = inside.trim_start_matches('/').trim_end_matches('/').trim();
    let (name, mut rest) = inside.split_once(' ').unwrap_or((inside, ""));
    let mut attributes = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let end = rest.find(['=', ' ']).unwrap_or(rest.len());
        attributes.push(rest[..end].to_lowercase());
        rest = &rest[end..];
        if let Some(value) = rest.strip_prefix("=\"") {
            rest = value.split_once('"').map_or("", |(_, after)| after);
        }
    }
    (name.to_lowercase(), attributes)
}

fn fixture_library() -> Library {
    load_library(&academy_tests::fixtures().join("valid")).library
}

/// The alpha fixture module's files, as the browser editor and the importer hand them to the checker.
fn alpha_files() -> BTreeMap<String, String> {
    let folder = academy_tests::fixtures().join("valid/modules/alpha");
    ["module.toml", "01-first.md", "02-second.md"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(folder.join(name)).expect("fixture file");
            ((*name).to_owned(), text)
        })
        .collect()
}

/// Text shaped like what authors write, and like what breaks parsers: front-matter fences, TOML, Markdown
/// block syntax, HTML, control characters, non-ASCII letters.
fn authorish_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("+++\n".to_owned()),
        Just("title = \"".to_owned()),
        Just("[[questions]]\n".to_owned()),
        Just("> ".to_owned()),
        Just("- ".to_owned()),
        Just("1. ".to_owned()),
        Just("```\n".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("[x](javascript:alert(1))".to_owned()),
        Just("[y](lesson:second#the-details)".to_owned()),
        Just("## Heading {#own-id .shiny onclick=alert(1) style=color:red}\n".to_owned()),
        Just("<https://example.org/page>".to_owned()),
        Just("<javascript:alert(1)>".to_owned()),
        Just("![alt](https://example.org/i.png \"a title\")".to_owned()),
        Just("![alt](data:text/html,<script>x</script>)".to_owned()),
        Just("[q](https://example.org/\"onmouseover=\"alert(1))".to_owned()),
        Just("\n| a | b |\n|:-|-:|\n| c | d |\n".to_owned()),
        Just("[^note]\n\n[^note]: A footnote.\n".to_owned()),
        Just("```js\" onmouseover=\"alert(1)\n".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just(
            "<h1 title=\"t\">Big</h1><span style=\"color:red\" lang=\"en\">s</span><u>u</u>"
                .to_owned()
        ),
        Just("<a href=\"https://example.org\" title=\"x>y\" onclick=\"z\">l</a>".to_owned()),
        Just("# ".to_owned()),
        Just("\n".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("\0".to_owned()),
        "[a-zA-Zé ü=\"\\[\\]{}*_|#>`~-]{0,12}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// A valid text with a stretch cut out and something else put in.
fn mutated(text: String) -> impl Strategy<Value = String> {
    let chars = text.chars().count();
    (0..=chars, 0..=chars.min(64), authorish_text()).prop_map(move |(at, cut, insert)| {
        let mut out: String = text.chars().take(at).collect();
        out.push_str(&insert);
        out.extend(text.chars().skip(at + cut));
        out
    })
}

/// `PROPTEST_CASES` sets the number of cases (256 by default). A failure prints its smallest input; none is
/// written into the source tree.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// A lesson file, however broken, gets a verdict: a module, or errors that name a file of the module and
    /// a line inside it. Never a panic.
    #[test]
    fn the_content_pipeline_answers_every_lesson_file(lesson in mutated(alpha_files()["01-first.md"].clone())) {
        let library = fixture_library();
        let mut files = alpha_files();
        files.insert("01-first.md".to_owned(), lesson.clone());
        let lines = |name: &str| files.get(name).map_or(0, |t| t.lines().count());
        let line_counts: HashMap<String, usize> =
            files.keys().map(|name| (name.clone(), lines(name))).collect();
        match check_module_files("alpha", Path::new("modules/alpha"), files, &library.frameworks, &HashMap::new()) {
            Ok(module) => prop_assert_eq!(module.slug, "alpha"),
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for error in errors {
                    let name = error.path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
                    let count = line_counts.get(&name).copied();
                    prop_assert!(count.is_some(), "the error names a file of the module: {}", error);
                    prop_assert!(error.line >= 1 && error.line <= count.unwrap_or(0) + 1, "line inside the file: {}", error);
                }
            }
        }
    }

    /// A module settings file, however broken, gets a verdict too.
    #[test]
    fn the_content_pipeline_answers_every_settings_file(settings in mutated(alpha_files()["module.toml"].clone())) {
        let library = fixture_library();
        let mut files = alpha_files();
        files.insert("module.toml".to_owned(), settings);
        let verdict = check_module_files("alpha", Path::new("modules/alpha"), files, &library.frameworks, &HashMap::new());
        if let Err(errors) = verdict {
            prop_assert!(errors.iter().all(|e| e.line >= 1 && e.column >= 1));
        }
    }

    /// Whatever Markdown says, no tag in the HTML that comes out is a script, has an event handler or points
    /// at a javascript: address. (Text may mention them: it is escaped, so every `<` left starts a real tag.)
    #[test]
    fn rendered_markdown_never_carries_script(source in authorish_text()) {
        let rendered = render_markdown(&source, "alpha");
        for tag in tags(&rendered.html) {
            let tag = tag.to_lowercase();
            prop_assert!(!tag.starts_with("script"), "{}", rendered.html);
            prop_assert!(!tag.contains("javascript:"), "{}", rendered.html);
            prop_assert!(
                !tag.split_whitespace().skip(1).any(|attribute| attribute.starts_with("on")),
                "an event handler in {}", rendered.html
            );
        }
    }

    /// Lesson HTML holds only allowed tags and attributes, whether the body rendered cleanly (and so was
    /// not sanitised) or had problems (and so was).
    #[test]
    fn rendered_markdown_holds_only_allowed_tags_and_attributes(source in authorish_text()) {
        let rendered = render_markdown(&source, "alpha");
        for tag in tags(&rendered.html) {
            let (name, attributes) = tag_and_attributes(tag);
            prop_assert!(allowed(&name, None), "tag <{}> in {}", name, rendered.html);
            for attribute in attributes {
                prop_assert!(
                    allowed(&name, Some(&attribute)),
                    "attribute {} on <{}> in {} (problems: {:?})", attribute, name, rendered.html, rendered.problems
                );
            }
        }
    }

    /// Any form fields as quiz answers: refused with a message, or marked with a score that adds up.
    #[test]
    fn any_quiz_answers_are_refused_or_marked(
        fields in prop::collection::hash_map(
            "(only-[0-9]|final-[0-9]|[a-z]{1,6})",
            prop::collection::hash_map("(o[0-9]|choice|[a-z]{1,3})", "([0-9]{1,3}|-1|x|99999999999999999999| 1 )", 0..4),
            0..6,
        )
    ) {
        let library = fixture_library();
        let gamma = library.modules.iter().find(|m| m.slug == "gamma").expect("gamma");
        let questions = &gamma.assessment.as_ref().expect("an assessment").questions;
        if let Ok(answers) = parse_answers(&fields) {
            let (results, correct) = mark(questions, &answers);
            prop_assert_eq!(results.len(), questions.len());
            prop_assert!(correct as usize <= questions.len());
        }
        let (_, all) = mark(questions, &answer_key(questions));
        prop_assert_eq!(all as usize, questions.len(), "the key itself scores full marks");
    }

    /// Any bytes offered as a zip are refused with a reason (never a panic), and a module exported then
    /// imported comes back file for file.
    #[test]
    fn any_bytes_offered_as_a_zip_are_answered(noise in prop::collection::vec(any::<u8>(), 0..2048), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        let _ = archive::import(&noise);
        let files = alpha_files();
        let exported = archive::export("alpha", &files).expect("export");
        let (slug, back) = archive::import(&exported).expect("import what was exported");
        prop_assert_eq!(slug, "alpha");
        prop_assert_eq!(&back, &files);
        let mut damaged = exported.clone();
        for (at, byte) in flips {
            let i = at.index(damaged.len());
            damaged[i] = byte;
        }
        if let Ok((slug, back)) = archive::import(&damaged) {
            // A damaged archive that still reads must still be one module's text files, nothing else.
            prop_assert!(app::ssr::content::is_valid_slug(&slug));
            prop_assert!(back.keys().all(|name| !name.contains('/') && !name.contains('\\')));
        }
    }
}

/// A record changed anywhere (one byte of the token) never verifies as different content: it fails, or it
/// decodes to exactly the credential that was signed.
#[test]
fn a_record_changed_anywhere_never_verifies_as_something_else() {
    use app::ssr::records::jwt;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (issuer, db) = runtime.block_on(async {
        let db = academy_tests::TestDb::sqlite().await;
        (academy_tests::test_issuer(&db.conn).await, db)
    });
    let credential = serde_json::json!({
        "id": "urn:uuid:0b5e55ed-0000-4000-8000-000000000001",
        "credentialSubject": { "name": "Dr Property", "achievement": "Alpha module" },
    });
    let token = jwt::sign(&issuer, &credential).expect("sign");
    let keys = vec![serde_json::from_value(issuer.public_jwk.clone()).expect("jwk")];
    assert_eq!(jwt::verify(&token, &keys).expect("genuine"), credential);
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner
        .run(
            &(any::<prop::sample::Index>(), any::<u8>()),
            |(at, byte)| {
                let mut bytes = token.clone().into_bytes();
                let i = at.index(bytes.len());
                bytes[i] = byte;
                let changed = String::from_utf8_lossy(&bytes).into_owned();
                if let Ok(payload) = jwt::verify(&changed, &keys) {
                    prop_assert_eq!(payload, credential.clone());
                }
                Ok(())
            },
        )
        .expect("no forged record verifies");
    runtime.block_on(db.finish());
}
