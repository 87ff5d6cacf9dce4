//! Loading content: the valid fixture, every error case with its exact `path:line:column` message, and
//! the shipped curriculum.

use academy_tests::{fixtures, real_content};
use app::ssr::content::load_library;

/// The `path:line:column: message` lines for an invalid fixture, with paths relative to the fixture.
fn errors_for(case: &str) -> Vec<String> {
    let root = fixtures().join("invalid").join(case);
    let report = load_library(&root);
    report
        .errors
        .iter()
        .map(|e| {
            let shown = e.to_string();
            shown
                .strip_prefix(&format!("{}/", root.display()))
                .unwrap_or(&shown)
                .to_owned()
        })
        .collect()
}

#[test]
fn valid_content_loads_with_links_rewritten_and_hashes_recorded() {
    let report = load_library(&fixtures().join("valid"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let slugs: Vec<_> = report
        .library
        .modules
        .iter()
        .map(|m| m.slug.as_str())
        .collect();
    assert_eq!(slugs, ["alpha", "beta", "gamma"]);
    let alpha = &report.library.modules[0];
    assert_eq!(alpha.lessons.len(), 2);
    assert_eq!(alpha.lessons[0].questions.len(), 1);
    assert!(
        alpha.lessons[0]
            .html
            .contains(r#"href="/modules/alpha/lessons/second#the-details""#)
    );
    assert_eq!(alpha.lessons[0].content_hash.len(), 64);
    assert_ne!(alpha.content_hash, report.library.modules[1].content_hash);
    assert_eq!(report.library.frameworks[0].id, "demo");
}

#[test]
fn an_unknown_front_matter_field_is_named_where_it_is() {
    let errors = errors_for("unknown-front-matter-field");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("modules/m/01-a.md:4:1: unknown field `titel`, expected one of"),
        "{errors:?}"
    );
}

#[test]
fn a_missing_title_is_reported() {
    assert_eq!(
        errors_for("missing-title"),
        ["modules/m/01-a.md:2:1: missing field `title`"]
    );
}

#[test]
fn a_duplicate_lesson_slug_names_both_files() {
    let errors = errors_for("duplicate-slug");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("modules/m/02-b.md:2:8: duplicate lesson slug `same` (also used by "),
        "{errors:?}"
    );
    assert!(errors[0].ends_with("01-a.md)"), "{errors:?}");
}

#[test]
fn broken_lesson_links_are_reported_at_the_link() {
    assert_eq!(
        errors_for("broken-lesson-link"),
        [
            "modules/m/01-a.md:8:5: broken link `lesson:nowhere`: module `m` has no lesson `nowhere`",
            "modules/m/01-a.md:8:35: broken link `lesson:other/x`: module `other` has no lesson `x`",
        ]
    );
}

#[test]
fn broken_anchors_are_reported_in_this_lesson_and_another() {
    assert_eq!(
        errors_for("broken-anchor"),
        [
            "modules/m/01-a.md:10:5: broken link `#absent`: this lesson has no heading with anchor `absent`",
            "modules/m/01-a.md:10:25: broken link `lesson:b#gone`: lesson `b` has no heading with anchor `gone`",
        ]
    );
}

#[test]
fn unknown_framework_codes_are_reported_in_module_and_lesson() {
    assert_eq!(
        errors_for("unknown-framework-code"),
        [
            "modules/m/01-a.md:6:15: alignment `nope:1` names unknown framework `nope` (no content/frameworks/nope.toml)",
            "modules/m/01-a.md:6:25: alignment `demo` must be written `framework:code`, for example `fci:3.2`",
            "modules/m/module.toml:8:15: alignment `demo:9.9` names unknown code `9.9` in framework `demo`",
        ]
    );
}

#[test]
fn a_module_without_module_toml_is_reported() {
    assert_eq!(
        errors_for("missing-module-toml"),
        ["modules/m/module.toml:1:1: module.toml is missing: every module folder needs one"]
    );
}

#[test]
fn a_question_without_a_correct_answer_is_reported() {
    assert_eq!(
        errors_for("question-without-correct-answer"),
        [
            "modules/m/01-a.md:7:1: question `q1` has no correct answer: mark an option `correct = true`"
        ]
    );
}

#[test]
fn a_lesson_without_front_matter_is_reported() {
    assert_eq!(
        errors_for("missing-front-matter"),
        [
            "modules/m/01-a.md:1:1: a lesson must start with front matter: a line `+++`, the TOML fields, then another `+++`"
        ]
    );
}

#[test]
fn invalid_toml_is_reported_at_the_bad_value() {
    assert_eq!(
        errors_for("invalid-toml"),
        ["modules/m/module.toml:6:9: string values must be quoted, expected literal string"]
    );
}

#[test]
fn a_completion_rule_needing_an_assessment_requires_one() {
    assert_eq!(
        errors_for("completion-needs-assessment"),
        [
            "modules/m/module.toml:1:1: completion `completed-and-passed` needs an assessment: add assessment.toml or use `completed`"
        ]
    );
}

#[test]
fn relative_links_and_raw_html_are_reported() {
    assert_eq!(
        errors_for("relative-link-and-raw-html"),
        [
            "modules/m/01-a.md:8:5: link `notes.md` would break: use `lesson:slug` for another lesson, `#anchor` for a heading, or a full https:// address",
            "modules/m/01-a.md:10:1: raw HTML is not allowed in lessons: write Markdown instead",
        ]
    );
}

#[test]
fn a_broken_module_is_left_out_and_the_others_still_load() {
    let report = load_library(&fixtures().join("invalid/one-broken-module-beside-a-good-one"));
    let slugs: Vec<_> = report
        .library
        .modules
        .iter()
        .map(|m| m.slug.as_str())
        .collect();
    assert_eq!(slugs, ["good"]);
    assert!(!report.errors.is_empty());
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.path.to_string_lossy().contains("modules/broken/"))
    );
}

#[test]
fn the_shipped_curriculum_loads_and_meets_the_curriculum_standard() {
    let report = load_library(&real_content());
    let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "content errors:\n{}", errors.join("\n"));
    let slugs: Vec<&str> = report
        .library
        .modules
        .iter()
        .map(|m| m.slug.as_str())
        .collect();
    for required in [
        "ccio-role",
        "prince2",
        "msp",
        "itil",
        "nhs-organisation",
        "coding-basics",
        "leading-digital-change",
    ] {
        assert!(
            slugs.contains(&required),
            "the CCIO curriculum needs the module `{required}`"
        );
    }
    for module in &report.library.modules {
        assert!(
            module.cpd_hours > 0.0 && !module.alignments.is_empty(),
            "module {} needs CPD hours and framework alignments",
            module.slug
        );
        assert!(
            module.lessons.len() >= 5,
            "module {} has {} lessons; the curriculum needs at least 5",
            module.slug,
            module.lessons.len()
        );
        let assessment = module.assessment.as_ref().map_or(0, |a| a.questions.len());
        assert!(
            assessment >= 10,
            "module {} has {assessment} assessment questions; it needs at least 10",
            module.slug
        );
        for lesson in &module.lessons {
            assert!(
                (2..=4).contains(&lesson.questions.len()),
                "{} has {} check-your-understanding questions; lessons need 2 to 4",
                lesson.path.display(),
                lesson.questions.len()
            );
            assert!(
                (600..=1_500).contains(&lesson.word_count),
                "{} has {} words; lessons need 600 to 1,500",
                lesson.path.display(),
                lesson.word_count
            );
            assert!(
                (2..=4).contains(&lesson.outcomes.len()),
                "{} has {} learning outcomes; lessons need 2 to 4",
                lesson.path.display(),
                lesson.outcomes.len()
            );
            for section in ["key-terms", "in-practice", "further-reading"] {
                assert!(
                    lesson.html.contains(&format!("id=\"{section}\"")),
                    "{} has no `{section}` section (## Key terms, ## In practice, ## Further reading)",
                    lesson.path.display()
                );
            }
        }
    }
}
