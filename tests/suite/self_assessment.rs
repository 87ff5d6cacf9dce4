//! The self-assessment: a learner rates themselves on the competencies the curriculum teaches and gets a
//! plan of the modules they have not completed, largest gap first, with the lessons that teach what they
//! rated low; a retake shows the change; ratings are checked, seen only by their learner, in their data
//! download, and gone with their account. Through the real router and the service, on both databases.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{Learning, fixtures, on_both_databases};
use app::api::accounts::Role;
use app::ssr::entities::self_assessment as assessment_rows;
use app::ssr::services::{accounts, personal_data, self_assessment};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use std::collections::HashMap;
use std::io::Read;

const PASSWORD: &str = "a long enough passphrase";

fn ratings(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn a_learners_ratings_plan_their_modules_by_gap_and_a_retake_shows_the_change(
    db: &DatabaseConnection,
) {
    let learn = Learning::new(db).await;
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(db, "rater@example.org", "Rater", PASSWORD)
        .await;
    let learner = accounts::find_by_email(db, "rater@example.org")
        .await
        .expect("query")
        .expect("the learner");
    let page = browser.get("/self-assessment").await;
    assert_eq!(page.status.as_u16(), 200);
    for shown in [
        "Take the assessment below to get your plan.",
        "Demo competency framework",
        "1.1 Clinical safety",
        "2.1 Leading change",
        "name=\"rating[demo:1.1]\"",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }

    // New to clinical safety (two below confident), aware of leading change (one below).
    let taken = browser
        .post_form(
            "/api/take-self-assessment",
            "/self-assessment",
            &[("rating[demo:1.1]", "1"), ("rating[demo:2.1]", "2")],
        )
        .await;
    assert_eq!(taken.location.as_deref(), Some("/self-assessment#plan"));
    let first = self_assessment::view(db, &learn.frameworks, &learner)
        .await
        .expect("the plan");
    let order: Vec<(&str, u32)> = first
        .plan
        .iter()
        .map(|m| (m.slug.as_str(), m.gap))
        .collect();
    // Alpha and gamma teach both (gap 3; alpha first in the catalogue), beta only clinical safety.
    assert_eq!(order, [("alpha", 3), ("gamma", 3), ("beta", 2)]);
    assert_eq!(
        first.plan[0].lessons.len(),
        2,
        "the module as a whole teaches a gap"
    );
    assert_eq!(first.plan[0].minutes, 20);
    assert_eq!(first.plan[2].closes, ["1.1 Clinical safety"]);

    // A completed module leaves the plan, and a lesson done leaves its module's list and time.
    for (module, lesson) in [("beta", "only"), ("alpha", "first")] {
        let enrolled = browser
            .post_form(
                "/api/enrol",
                &format!("/modules/{module}"),
                &[("module", module)],
            )
            .await;
        assert_eq!(enrolled.status.as_u16(), 302, "{}", enrolled.body);
        let done = browser
            .post_form(
                "/api/complete-lesson",
                &format!("/modules/{module}/lessons/{lesson}"),
                &[("module", module), ("lesson", lesson)],
            )
            .await;
        assert_eq!(done.status.as_u16(), 302, "{}", done.body);
    }
    let progressed = self_assessment::view(db, &learn.frameworks, &learner)
        .await
        .expect("the plan");
    let order: Vec<(&str, u32)> = progressed
        .plan
        .iter()
        .map(|m| (m.slug.as_str(), m.gap))
        .collect();
    assert_eq!(order, [("alpha", 3), ("gamma", 3)]);
    let alpha_lessons: Vec<&str> = progressed.plan[0]
        .lessons
        .iter()
        .map(|(_, t, _)| t.as_str())
        .collect();
    assert_eq!(alpha_lessons, ["Second lesson"]);
    assert_eq!(progressed.plan[0].minutes, 10);

    // Later: confident in clinical safety, still new to leading change. From alpha only its lesson on
    // leading change counts (alpha as a whole aligns to clinical safety), and that one is done.
    browser
        .post_form(
            "/api/take-self-assessment",
            "/self-assessment",
            &[("rating[demo:1.1]", "3"), ("rating[demo:2.1]", "1")],
        )
        .await;
    let second = self_assessment::view(db, &learn.frameworks, &learner)
        .await
        .expect("the plan");
    let order: Vec<(&str, u32)> = second
        .plan
        .iter()
        .map(|m| (m.slug.as_str(), m.gap))
        .collect();
    assert_eq!(order, [("alpha", 2), ("gamma", 2)]);
    assert!(second.plan[0].lessons.is_empty(), "{:?}", second.plan[0]);
    assert_eq!(second.plan[0].minutes, 0);
    assert_eq!(
        second.plan[1].lessons.len(),
        1,
        "gamma as a whole builds leading change"
    );
    assert!(second.previous_taken_at.is_some());
    let page = browser.get("/self-assessment").await;
    assert!(
        page.body
            .contains("Last time you chose “New to this”; now “Confident in practice”."),
        "{}",
        page.body
    );
}

async fn ratings_are_checked_and_seen_only_by_their_learner(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    let mut anonymous = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let refused = anonymous.post_json_form("/api/self-assessment", &[]).await;
    assert_eq!(refused.status.as_u16(), 401, "{}", refused.body);

    let learner = academy_tests::account(db, "one@example.org", Role::Learner).await;
    let other = academy_tests::account(db, "two@example.org", Role::Learner).await;
    for (wrong, field, says) in [
        (
            ratings(&[("demo:9.9", "2")]),
            "rating_demo:9.9",
            "not a competency the curriculum teaches",
        ),
        (
            ratings(&[("demo:1.1", "7")]),
            "rating_demo:1.1",
            "one of the four ratings for 1.1 Clinical safety",
        ),
        (
            ratings(&[("demo:1.1", ""), ("demo:2.1", "")]),
            "ratings",
            "at least one",
        ),
    ] {
        let error = self_assessment::submit(db, &learn.frameworks, &learner, &wrong)
            .await
            .expect_err("refused");
        let message = error
            .field_message(field)
            .unwrap_or_else(|| panic!("{field}: {error:?}"));
        assert!(message.contains(says), "{message}");
    }
    assert_eq!(
        assessment_rows::Entity::find()
            .count(db)
            .await
            .expect("count"),
        0
    );

    self_assessment::submit(
        db,
        &learn.frameworks,
        &learner,
        &ratings(&[("demo:1.1", "2")]),
    )
    .await
    .expect("kept");
    let theirs = self_assessment::view(db, &learn.frameworks, &other)
        .await
        .expect("a view");
    assert_eq!(theirs.taken_at, None, "another learner sees only their own");
    // Through the router too; and each error names a field the page has, so its summary links to it.
    let mut their_browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    their_browser
        .register_verified(db, "three@example.org", "Three", PASSWORD)
        .await;
    let page = their_browser.get("/self-assessment").await;
    assert!(
        page.body
            .contains("Take the assessment below to get your plan.")
    );
    for id in ["id=\"field-rating-demo:1.1\"", "id=\"field-ratings\""] {
        assert!(page.body.contains(id), "{id} in the page");
    }
    self_assessment::submit(
        db,
        &learn.frameworks,
        &other,
        &ratings(&[("demo:2.1", "4")]),
    )
    .await
    .expect("kept");
    assert!(
        theirs.frameworks[0]
            .competencies
            .iter()
            .all(|c| c.latest.is_none())
    );

    // In the learner's data download, and gone with their account.
    let bytes = personal_data::export(db, &learner).await.expect("export");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut text = String::new();
    zip.by_name("data.json")
        .expect("data.json")
        .read_to_string(&mut text)
        .expect("readable");
    let data: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(data["self_assessments"][0]["ratings"]["demo:1.1"], 2);
    personal_data::erase_account(db, &learner, PASSWORD, None)
        .await
        .expect("erased");
    assert_eq!(
        assessment_rows::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1,
        "only the erased learner's assessment goes"
    );
}

on_both_databases!(
    a_learners_ratings_plan_their_modules_by_gap_and_a_retake_shows_the_change,
    ratings_are_checked_and_seen_only_by_their_learner,
);
