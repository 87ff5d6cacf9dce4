//! Pathways: a learner's progress through a pathway's required modules and the next step, on both
//! databases; and the pages, with JavaScript off.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{Learning, fixtures, learner, on_both_databases, publish};
use app::error::AppError;
use app::ssr::content::load_library;
use app::ssr::services::{learning, pathways, progress};
use sea_orm::DatabaseConnection;

fn shipped_pathways() -> Vec<app::ssr::content::Pathway> {
    load_library(&fixtures().join("valid")).library.pathways
}

async fn progress_counts_required_modules_and_points_at_the_next_step(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let all = shipped_pathways();
    let id = learner(db, "pathway@example.org").await;

    // Anonymous: what the pathway is, no progress. Beta is optional, so not counted.
    let anonymous = pathways::list(db, &all, None).await.expect("list");
    assert_eq!(anonymous.len(), 1);
    let starter = &anonymous[0];
    assert_eq!((starter.required_modules, starter.optional_modules), (2, 1));
    assert!(starter.progress.is_none());

    let next = |db, id| async move {
        let listed = pathways::list(db, &shipped_pathways(), Some(id))
            .await
            .expect("list");
        let progress = listed[0].progress.clone().expect("signed in");
        (
            progress.completed,
            progress.total,
            progress.next.map(|n| (n.label, n.href)),
        )
    };
    assert_eq!(
        next(db, id).await,
        (
            0,
            2,
            Some(("Start Alpha module".to_owned(), "/modules/alpha".to_owned()))
        )
    );
    progress::enrol(db, id, "alpha").await.expect("enrol");
    learning::complete_lesson(db, learn.context(), id, "alpha", "first")
        .await
        .expect("complete");
    assert_eq!(
        next(db, id).await,
        (
            0,
            2,
            Some((
                "Continue Alpha module: Second lesson".to_owned(),
                "/modules/alpha/lessons/second".to_owned()
            ))
        )
    );
    learning::complete_lesson(db, learn.context(), id, "alpha", "second")
        .await
        .expect("complete");
    // Alpha is complete; optional beta is skipped over; gamma is next.
    assert_eq!(
        next(db, id).await,
        (
            1,
            2,
            Some(("Start Gamma module".to_owned(), "/modules/gamma".to_owned()))
        )
    );
    learning::complete_lesson(db, learn.context(), id, "gamma", "only")
        .await
        .expect("complete");
    assert_eq!(
        next(db, id).await,
        (
            1,
            2,
            Some((
                "Finish Gamma module: take the assessment".to_owned(),
                "/modules/gamma/assessment".to_owned()
            ))
        ),
        "gamma needs its assessment passed as well"
    );

    let detail = pathways::detail(db, &all, &[], "starter", Some(id))
        .await
        .expect("detail");
    let steps: Vec<(&str, bool, bool)> = detail
        .steps
        .iter()
        .map(|s| (s.card.slug.as_str(), s.required, s.completed))
        .collect();
    assert_eq!(
        steps,
        [
            ("alpha", true, true),
            ("beta", false, false),
            ("gamma", true, false)
        ]
    );
    // Another learner's progress is their own.
    let other = learner(db, "other-pathway@example.org").await;
    assert_eq!(next(db, other).await.0, 0);
    assert_eq!(
        pathways::detail(db, &all, &[], "no-such-pathway", Some(id))
            .await
            .err(),
        Some(AppError::NotFound(
            "The pathway “no-such-pathway”".to_owned()
        ))
    );
}

on_both_databases!(progress_counts_required_modules_and_points_at_the_next_step);

/// The pathway pages render completely on the server: the list, and a pathway with its targets, its
/// modules in order marked required or optional, and (signed out) no progress.
#[tokio::test]
async fn pathway_pages_work_without_javascript() {
    let db = academy_tests::TestDb::sqlite().await;
    let mut browser = Browser::new(app_for(&db.conn, &fixtures().join("valid")).await);
    let list = browser.get("/pathways").await;
    assert_eq!(list.status, http::StatusCode::OK);
    assert!(
        list.body.contains(r#"href="/pathways/starter""#),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("2 modules (and 1 optional)"),
        "{}",
        list.body
    );

    let page = browser.get("/pathways/starter").await;
    assert_eq!(page.status, http::StatusCode::OK);
    let alpha = page.body.find("Alpha module").expect("alpha listed");
    let beta = page.body.find("Beta module").expect("beta listed");
    let gamma = page.body.find("Gamma module").expect("gamma listed");
    assert!(
        alpha < beta && beta < gamma,
        "modules in the pathway's order"
    );
    assert!(page.body.contains("Optional") && page.body.contains("Required"));
    assert!(
        page.body.contains("Clinical safety (1.1)"),
        "targets resolved: {}",
        page.body
    );
    assert!(!page.body.contains("required modules complete"));

    let missing = browser.get("/pathways/no-such-pathway").await;
    assert_eq!(missing.status, http::StatusCode::NOT_FOUND);
    db.finish().await;
}
