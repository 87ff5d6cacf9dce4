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
fn a_lesson_with_no_body_is_refused_where_the_body_should_start() {
    assert_eq!(
        errors_for("empty-lesson-body"),
        [
            "modules/m/01-a.md:7:1: the lesson has no text: write its body in Markdown after the closing `+++`"
        ]
    );
}

#[test]
fn an_overlong_title_is_refused_at_the_title() {
    assert_eq!(
        errors_for("overlong-title"),
        ["modules/m/01-a.md:3:9: `title` is 20000 characters long: keep it to 150 or fewer"]
    );
}

#[test]
fn pathways_load_in_order_with_required_and_optional_modules() {
    let report = load_library(&fixtures().join("valid"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let starter = &report.library.pathways[0];
    assert_eq!(starter.slug, "starter");
    let steps: Vec<(&str, bool)> = starter
        .steps
        .iter()
        .map(|s| (s.module.as_str(), s.required))
        .collect();
    assert_eq!(steps, [("alpha", true), ("beta", false), ("gamma", true)]);
    assert_eq!(starter.targets, ["demo:1.1"]);
}

#[test]
fn a_pathway_is_checked_against_the_modules_and_frameworks() {
    assert_eq!(
        errors_for("pathway-names-a-missing-module"),
        [
            "pathways/p.toml:5:12: alignment `demo:9.9` names unknown code `9.9` in framework `demo`",
            "pathways/p.toml:7:1: a pathway needs at least one required module (`required = true`, the default)",
            "pathways/p.toml:11:1: pathway names module `missing`, which is not in content/modules/",
            "pathways/p.toml:15:1: module `m` is listed twice",
        ]
    );
}

#[test]
fn a_checked_date_must_be_a_real_date_written_in_full() {
    assert_eq!(
        errors_for("bad-checked-date"),
        [
            "modules/m/01-a.md:6:11: `checked` must be the date the facts were last checked, written YYYY-MM-DD (for example 2026-12-01), not `1/12/2026`"
        ]
    );
}

/// Lessons not checked within the review period are warned about at the line of their date, or at the top
/// of a lesson that has none; frameworks too. Warnings are not errors: everything still loads.
#[test]
fn content_due_for_review_is_warned_about_not_refused() {
    use app::ssr::content::{ReviewPolicy, review_warnings};
    let report = load_library(&fixtures().join("valid"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let day = |text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
    let year = ReviewPolicy {
        review_after_days: 365,
    };
    let shown = |today| {
        let root = fixtures().join("valid");
        review_warnings(&report.library, day(today), year)
            .iter()
            .map(|w| {
                let shown = w.to_string();
                shown
                    .strip_prefix(&format!("{}/", root.display()))
                    .unwrap_or(&shown)
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    // Today: every lesson without a date (all but alpha's first) is listed; the framework (checked
    // 2026-11-25) and alpha's first (2026-06-01) are not yet due.
    let now = shown("2026-12-01");
    assert_eq!(now.len(), 3, "{now:?}");
    assert!(
        now.iter()
            .all(|w| w.contains(":1:1: this lesson does not say when")),
        "{now:?}"
    );
    assert!(
        !now.iter()
            .any(|w| w.starts_with("modules/alpha/01-first.md"))
    );
    // Two years on, the dated ones are due as well, each at its `checked` line.
    let later = shown("2028-12-01");
    assert!(later.contains(&"frameworks/demo.toml:3:11: this framework was last checked on 2026-11-25, more than 365 days ago: check it against its sources and update `checked`".to_owned()), "{later:?}");
    assert!(
        later.iter().any(|w| w.starts_with(
            "modules/alpha/01-first.md:7:11: this lesson was last checked on 2026-06-01"
        )),
        "{later:?}"
    );
    // A date still to come is a typo, not a check: it would silence the reminder for years.
    let before = shown("2026-05-01");
    assert!(
        before.contains(&"modules/alpha/01-first.md:7:11: `checked` is 2026-06-01, a day still to come: write the day the facts were actually checked".to_owned()),
        "{before:?}"
    );
}

/// Confirming a lesson is still right (changing only its `checked` date) is not a change to the lesson:
/// learners who completed it keep their completion as current.
#[test]
fn a_new_checked_date_does_not_change_the_lesson() {
    let content = academy_tests::copy_fixture("valid");
    let before = load_library(content.path());
    let path = content.path().join("modules/alpha/01-first.md");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("2026-06-01", "2026-12-01")).expect("write");
    let after = load_library(content.path());
    let first = |report: &app::ssr::content::LoadReport| {
        let alpha = &report.library.modules[0];
        (
            alpha.lessons[0].content_hash.clone(),
            alpha.content_hash.clone(),
            alpha.lessons[0]
                .checked
                .as_ref()
                .map(|c| c.date.to_string()),
        )
    };
    let (lesson_before, module_before, _) = first(&before);
    let (lesson_after, module_after, checked) = first(&after);
    assert_eq!(
        lesson_before, lesson_after,
        "the lesson's hash ignores its checked date"
    );
    assert_ne!(
        module_before, module_after,
        "the module gets a new version recording the check"
    );
    assert_eq!(checked.as_deref(), Some("2026-12-01"));
}

#[test]
fn a_nul_character_is_refused_where_it_is() {
    let errors = errors_for("nul-byte");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("modules/m/01-a.md:8:13: the file holds a NUL character"),
        "{errors:?}"
    );
}

/// Windows Notepad starts UTF-8 files with a byte-order mark; such files load as if it were not there, and
/// positions in messages are unchanged.
#[test]
fn files_saved_with_a_byte_order_mark_load() {
    let content = academy_tests::copy_fixture("valid");
    for file in [
        "modules/beta/01-only.md",
        "modules/beta/module.toml",
        "frameworks/demo.toml",
    ] {
        let path = content.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("\u{feff}{text}")).expect("write");
    }
    let report = load_library(content.path());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.library.modules.len(), 3);

    let broken = content.path().join("modules/beta/01-only.md");
    let text = std::fs::read_to_string(&broken).expect("read");
    std::fs::write(&broken, text.replacen("minutes = 10", "minutes = 0", 1)).expect("write");
    let report = load_library(content.path());
    let shown: Vec<String> = report
        .errors
        .iter()
        .map(|e| format!("{}:{}", e.line, e.column))
        .collect();
    assert_eq!(shown, ["4:11"], "{:?}", report.errors);
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
            assert!(
                lesson.checked.is_some(),
                "{} does not say when its facts were last checked (`checked`)",
                lesson.path.display()
            );
        }
    }
    // The curriculum is more than a shelf: a foundations pathway through every module, required, and a
    // shorter one for clinical safety leads.
    let pathway = |slug: &str| {
        report
            .library
            .pathways
            .iter()
            .find(|p| p.slug == slug)
            .unwrap_or_else(|| panic!("the curriculum needs the pathway `{slug}`"))
    };
    let foundations = pathway("foundations-for-new-ccios");
    let mut in_foundations: Vec<&str> = foundations
        .steps
        .iter()
        .map(|s| s.module.as_str())
        .collect();
    in_foundations.sort_unstable();
    let mut every_module = slugs.clone();
    every_module.sort_unstable();
    assert_eq!(
        in_foundations, every_module,
        "Foundations takes every module"
    );
    assert!(foundations.steps.iter().all(|s| s.required));
    let safety = pathway("clinical-safety-lead");
    assert!(safety.steps.len() < foundations.steps.len());
    assert_eq!(
        safety.steps.first().map(|s| s.module.as_str()),
        Some("clinical-safety")
    );
}

/// A course lead set a lesson's reading time past the ten-hour limit.
#[test]
fn lesson_minutes_over_the_limit_are_refused_at_the_value() {
    assert_eq!(
        errors_for("lesson-minutes-over-600"),
        ["modules/m/01-a.md:4:11: `minutes` must be between 1 and 600"]
    );
}

/// A course lead left a lesson's learning outcomes as an empty list.
#[test]
fn a_lesson_without_outcomes_is_refused_at_the_list() {
    assert_eq!(
        errors_for("lesson-without-outcomes"),
        ["modules/m/01-a.md:5:12: `outcomes` must list 1 to 6 learning outcomes, none empty"]
    );
}

/// A course lead wrote a lesson slug with a capital letter.
#[test]
fn a_lesson_slug_with_capitals_is_refused_at_the_slug() {
    assert_eq!(
        errors_for("lesson-slug-with-capitals"),
        [
            "modules/m/01-a.md:2:8: lesson slug `Intro` is not valid: use lower-case letters, digits and hyphens"
        ]
    );
}

/// A course lead gave a question an id with a capital letter.
#[test]
fn a_question_id_that_is_not_a_slug_is_refused_at_the_question() {
    assert_eq!(
        errors_for("question-id-not-a-slug"),
        [
            "modules/m/01-a.md:7:1: question id `Q1` is not valid: use lower-case letters, digits and hyphens"
        ]
    );
}

/// A course lead copied a question into a second lesson and kept its id.
#[test]
fn a_question_id_used_in_two_lessons_is_refused_at_the_second() {
    let first = fixtures()
        .join("invalid")
        .join("duplicate-question-id-across-lessons")
        .join("modules/m/01-a.md");
    assert_eq!(
        errors_for("duplicate-question-id-across-lessons"),
        [format!(
            "modules/m/02-b.md:7:1: duplicate question id `q1` (also used in {})",
            first.display()
        )]
    );
}

/// A course lead left a question's prompt empty.
#[test]
fn a_question_with_an_empty_prompt_is_refused() {
    assert_eq!(
        errors_for("question-with-empty-prompt"),
        ["modules/m/01-a.md:7:1: question `q1` has an empty prompt"]
    );
}

/// A course lead left a question's explanation empty.
#[test]
fn a_question_with_an_empty_explanation_is_refused() {
    assert_eq!(
        errors_for("question-with-empty-explanation"),
        ["modules/m/01-a.md:7:1: question `q1` needs an explanation"]
    );
}

/// A course lead marked two options correct in a single-choice question.
#[test]
fn a_single_choice_question_with_two_correct_options_is_refused() {
    assert_eq!(
        errors_for("single-choice-with-two-correct-options"),
        [
            "modules/m/01-a.md:7:1: single-choice question `q1` has 2 correct options: use kind = \"multiple\" or keep one"
        ]
    );
}

/// A course lead gave a true-false question options as well as an answer.
#[test]
fn a_true_false_question_with_options_is_refused() {
    assert_eq!(
        errors_for("true-false-question-with-options"),
        [
            "modules/m/01-a.md:7:1: true-false question `q1` takes `answer = true|false`, not options"
        ]
    );
}

/// A course lead wrote a true-false question without saying whether it is true or false.
#[test]
fn a_true_false_question_without_an_answer_is_refused() {
    assert_eq!(
        errors_for("true-false-question-without-answer"),
        [
            "modules/m/01-a.md:7:1: true-false question `q1` has no correct answer: add `answer = true` or `answer = false`"
        ]
    );
}

/// A course lead left a module's summary empty.
#[test]
fn a_module_with_an_empty_summary_is_refused_at_the_summary() {
    assert_eq!(
        errors_for("module-with-empty-summary"),
        ["modules/m/module.toml:2:11: `summary` must not be empty"]
    );
}

/// A course lead estimated a module at no hours at all.
#[test]
fn a_module_estimated_at_zero_hours_is_refused_at_the_value() {
    assert_eq!(
        errors_for("module-with-zero-estimated-hours"),
        ["modules/m/module.toml:4:19: `estimated_hours` must be more than 0 and at most 1000"]
    );
}

/// A course lead created a module folder with a module.toml but no lessons.
#[test]
fn a_module_without_lessons_is_refused() {
    assert_eq!(
        errors_for("module-without-lessons"),
        ["modules/m/module.toml:1:1: module has no lessons: add at least one `.md` file"]
    );
}

/// A course lead left a notes file in a module folder.
#[test]
fn an_unexpected_file_in_a_module_folder_is_refused() {
    assert_eq!(
        errors_for("unexpected-file-in-module-folder"),
        [
            "modules/m/notes.txt:1:1: unexpected file: a module holds module.toml, assessment.toml and `.md` lessons only"
        ]
    );
}

/// A course lead started a lesson body with a level-1 heading.
#[test]
fn a_level_one_heading_in_a_lesson_is_refused_at_the_heading() {
    assert_eq!(
        errors_for("level-one-heading-in-lesson"),
        [
            "modules/m/01-a.md:8:1: use `##` for sections: the lesson title is the page's only level-1 heading"
        ]
    );
}

/// A course lead embedded an image from a plain http:// address.
#[test]
fn an_image_over_http_is_refused_at_the_image() {
    assert_eq!(
        errors_for("image-over-http"),
        [
            "modules/m/01-a.md:10:1: image `http://example.org/diagram.png` must be a full https:// address"
        ]
    );
}

/// A course lead nested block quotes 33 deep, one past the limit.
#[test]
fn quotes_nested_past_the_limit_are_refused_at_the_marker_too_deep() {
    assert_eq!(
        errors_for("quotes-nested-too-deep"),
        [
            "modules/m/01-a.md:10:33: block quotes and lists are nested more than 32 levels deep here: flatten them"
        ]
    );
}

/// A course lead gave a framework's source as an http:// address.
#[test]
fn a_framework_url_that_is_not_https_is_refused_at_the_url() {
    assert_eq!(
        errors_for("framework-url-not-https"),
        ["frameworks/demo.toml:2:7: `url` must be a full https:// address"]
    );
}

/// A course lead gave two competencies of a framework the same code.
#[test]
fn a_duplicate_competency_code_is_refused_at_the_second() {
    assert_eq!(
        errors_for("duplicate-competency-code"),
        ["frameworks/demo.toml:12:8: duplicate competency code `1.1`"]
    );
}

/// A course lead set a wait between assessment attempts while leaving attempts unlimited.
#[test]
fn a_cooldown_without_an_attempt_limit_is_refused_at_the_cooldown() {
    assert_eq!(
        errors_for("cooldown-hours-without-max-attempts"),
        [
            "modules/m/assessment.toml:2:18: `cooldown_hours` needs `max_attempts`: with unlimited attempts there is nothing to wait for"
        ]
    );
}

/// A pathway author misspelt `required`: refused at the key, naming the keys a pathway module takes.
#[test]
fn a_misspelt_key_in_a_pathway_is_refused_at_the_key() {
    assert_eq!(
        errors_for("pathway-with-a-misspelt-field"),
        ["pathways/p.toml:8:1: unknown field `requird`, expected `slug` or `required`"]
    );
}

/// A course lead typed a pass mark out of 150: refused at the value.
#[test]
fn a_pass_mark_over_100_is_refused_at_the_value() {
    assert_eq!(
        errors_for("assessment-pass-mark-over-100"),
        ["modules/m/assessment.toml:1:13: `pass_mark` must be between 1 and 100"]
    );
}
