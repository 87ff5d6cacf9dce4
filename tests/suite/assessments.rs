//! Assessments keep their answer key until the learner has earned it, and their attempt limit holds under
//! concurrent submissions; on both databases.

use academy_tests::{
    copy_fixture, events, fixtures, learner, on_both_databases, publish, test_issuer,
};
use app::error::AppError;
use app::ssr::content::load_library;
use app::ssr::entities::quiz_attempt;
use app::ssr::services::learning;
use app::ssr::services::quizzes::{self, Answers};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait,
};
use std::collections::BTreeSet;
use std::sync::Arc;

const ALL_WRONG: &[(&str, &[usize])] = &[("final-1", &[1]), ("final-2", &[0]), ("final-3", &[1])];

fn answers(pairs: &[(&str, &[usize])]) -> Answers {
    pairs
        .iter()
        .map(|(id, chosen)| {
            (
                (*id).to_owned(),
                chosen.iter().copied().collect::<BTreeSet<_>>(),
            )
        })
        .collect()
}

/// The valid fixture with gamma's assessment settings replaced by `settings`.
async fn publish_gamma_with(db: &DatabaseConnection, settings: &str) -> tempfile::TempDir {
    let content = copy_fixture("valid");
    let path = content.path().join("modules/gamma/assessment.toml");
    let original = std::fs::read_to_string(&path).expect("read assessment");
    let questions = &original[original.find("[[questions]]").expect("questions")..];
    std::fs::write(&path, format!("{settings}\n{questions}")).expect("write assessment");
    publish(db, content.path()).await;
    content
}

fn frameworks() -> Vec<app::ssr::content::Framework> {
    load_library(&fixtures().join("valid")).library.frameworks
}

/// Moves every stored attempt back past any cool-down.
async fn age_attempts(db: &DatabaseConnection) {
    for attempt in quiz_attempt::Entity::find()
        .all(db)
        .await
        .expect("attempts")
    {
        let mut older: quiz_attempt::ActiveModel = attempt.clone().into();
        older.submitted_at = Set(attempt.submitted_at - chrono::Duration::hours(48));
        older.update(db).await.expect("age the attempt");
    }
}

async fn a_failed_attempt_says_what_was_wrong_but_never_which_option_is_right(
    db: &DatabaseConnection,
) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let id = learner(db, "blank@example.org").await;
    // Submitted blank, as someone fishing for the answer key would.
    let blank = learning::submit_attempt(
        db,
        events(&issuer, &frameworks()),
        id,
        "gamma",
        "assessment",
        Answers::new(),
    )
    .await
    .expect("a blank attempt is marked");
    assert!(!blank.passed && !blank.answers_revealed);
    for result in &blank.results {
        assert!(!result.correct);
        assert_eq!(
            result.correct_options, None,
            "{} leaked its answer",
            result.id
        );
        assert!(result.feedback.is_empty());
        assert!(result.explanation.starts_with("GAMMA-EXPLANATION"));
    }
    let json = serde_json::to_string(&blank).expect("json");
    assert!(!json.contains("\"correct_options\":["), "{json}");

    // Coming back to the page shows the same, withheld.
    let view = quizzes::quiz_view(db, "gamma", "assessment", Some(id))
        .await
        .expect("view");
    let last = view.last_attempt.expect("the last attempt is shown");
    assert!(!last.answers_revealed);
    assert!(last.results.iter().all(|r| r.correct_options.is_none()));

    // gamma allows two attempts: after the last one, the answers are shown (the default setting).
    age_attempts(db).await;
    let last = learning::submit_attempt(
        db,
        events(&issuer, &frameworks()),
        id,
        "gamma",
        "assessment",
        answers(ALL_WRONG),
    )
    .await
    .expect("second attempt");
    assert!(last.answers_revealed);
    assert_eq!(last.results[1].correct_options, Some(vec![1]));
}

async fn reveal_answers_never_keeps_the_key_even_after_a_pass(db: &DatabaseConnection) {
    let _content = publish_gamma_with(
        db,
        "pass_mark = 60\nmax_attempts = 1\nreveal_answers = \"never\"",
    )
    .await;
    let issuer = test_issuer(db).await;
    let id = learner(db, "never@example.org").await;
    let passed = learning::submit_attempt(
        db,
        events(&issuer, &frameworks()),
        id,
        "gamma",
        "assessment",
        answers(&[("final-1", &[0]), ("final-2", &[1]), ("final-3", &[0, 2])]),
    )
    .await
    .expect("attempt");
    assert!(passed.passed && !passed.answers_revealed);
    assert!(passed.results.iter().all(|r| r.correct_options.is_none()));
}

async fn reveal_answers_after_pass_keeps_the_key_from_someone_out_of_attempts(
    db: &DatabaseConnection,
) {
    let _content = publish_gamma_with(
        db,
        "pass_mark = 60\nmax_attempts = 1\nreveal_answers = \"after-pass\"",
    )
    .await;
    let issuer = test_issuer(db).await;
    let id = learner(db, "after-pass@example.org").await;
    let failed = learning::submit_attempt(
        db,
        events(&issuer, &frameworks()),
        id,
        "gamma",
        "assessment",
        answers(ALL_WRONG),
    )
    .await
    .expect("attempt");
    assert!(!failed.passed && !failed.answers_revealed);
}

async fn twenty_parallel_submissions_at_a_limit_of_three_store_at_most_three(
    db: &DatabaseConnection,
) {
    let _content = publish_gamma_with(db, "pass_mark = 60\nmax_attempts = 3").await;
    let issuer = Arc::new(test_issuer(db).await);
    let frameworks = Arc::new(frameworks());
    let id = learner(db, "racer@example.org").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (db, issuer, frameworks) = (db.clone(), issuer.clone(), frameworks.clone());
        tasks.spawn(async move {
            learning::submit_attempt(
                &db,
                events(&issuer, &frameworks),
                id,
                "gamma",
                "assessment",
                answers(ALL_WRONG),
            )
            .await
        });
    }
    let mut accepted = 0;
    while let Some(outcome) = tasks.join_next().await {
        match outcome.expect("task") {
            Ok(_) => accepted += 1,
            Err(AppError::Conflict(_)) => {}
            Err(other) => panic!("a racing submission failed unexpectedly: {other:?}"),
        }
    }
    let stored = quiz_attempt::Entity::find().count(db).await.expect("count");
    assert!(
        (1..=3).contains(&stored),
        "{stored} attempts stored at a limit of 3"
    );
    assert_eq!(
        stored, accepted,
        "every accepted attempt is stored, and only those"
    );
    // Whatever the race, the numbers are 1..=n with no gaps or repeats.
    let mut numbers: Vec<i32> = quiz_attempt::Entity::find()
        .all(db)
        .await
        .expect("attempts")
        .into_iter()
        .filter_map(|a| a.attempt_number)
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=i32::try_from(stored).expect("n")).collect::<Vec<_>>()
    );
}

on_both_databases!(
    a_failed_attempt_says_what_was_wrong_but_never_which_option_is_right,
    reveal_answers_never_keeps_the_key_even_after_a_pass,
    reveal_answers_after_pass_keeps_the_key_from_someone_out_of_attempts,
    twenty_parallel_submissions_at_a_limit_of_three_store_at_most_three,
);
