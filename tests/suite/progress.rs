//! Enrolling, completing lessons and resuming, on both databases.

use academy_tests::{Learning, fixtures, learner, on_both_databases, publish};
use app::error::AppError;
use app::ssr::entities::lesson_progress;
use app::ssr::services::{catalogue, learning, progress};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

async fn learner_resumes_at_first_unfinished_lesson(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "resume@example.org").await;
    progress::enrol(db, id, "alpha").await.expect("enrol");

    let after_second = learning::complete_lesson(db, learn.context(), id, "alpha", "second")
        .await
        .expect("complete");
    assert_eq!((after_second.completed, after_second.total), (1, 2));
    assert_eq!(
        after_second.next_lesson.map(|l| l.slug).as_deref(),
        Some("first")
    );

    let after_first = learning::complete_lesson(db, learn.context(), id, "alpha", "first")
        .await
        .expect("complete");
    assert_eq!((after_first.completed, after_first.total), (2, 2));
    assert_eq!(after_first.next_lesson, None);
}

async fn catalogue_and_my_learning_show_progress_only_where_enrolled(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "dash@example.org").await;
    learning::complete_lesson(db, learn.context(), id, "alpha", "first")
        .await
        .expect("complete enrols too");

    let cards = catalogue::list_modules(db, Some(id))
        .await
        .expect("catalogue");
    let alpha = cards
        .iter()
        .find(|c| c.slug == "alpha")
        .expect("alpha listed");
    let beta = cards
        .iter()
        .find(|c| c.slug == "beta")
        .expect("beta listed");
    assert_eq!(
        alpha.progress.as_ref().map(|p| (p.completed, p.total)),
        Some((1, 2))
    );
    assert_eq!(beta.progress, None);

    let mine = progress::my_learning(db, id).await.expect("my learning");
    assert_eq!(
        mine.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(),
        ["alpha"]
    );
    assert_eq!(
        mine[0]
            .progress
            .as_ref()
            .and_then(|p| p.next_lesson.as_ref())
            .map(|l| l.slug.as_str()),
        Some("second")
    );

    let anonymous = catalogue::list_modules(db, None).await.expect("catalogue");
    assert!(anonymous.iter().all(|c| c.progress.is_none()));
}

async fn completing_a_lesson_twice_at_once_records_it_once(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "race@example.org").await;
    let (a, b) = tokio::join!(
        learning::complete_lesson(db, learn.context(), id, "alpha", "first"),
        learning::complete_lesson(db, learn.context(), id, "alpha", "first"),
    );
    a.expect("first request");
    b.expect("second request");
    let rows = lesson_progress::Entity::find()
        .count(db)
        .await
        .expect("count");
    assert_eq!(rows, 1);
}

async fn completing_an_unknown_lesson_is_not_found(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "missing@example.org").await;
    let error = learning::complete_lesson(db, learn.context(), id, "alpha", "nope")
        .await
        .expect_err("unknown lesson");
    assert!(matches!(error, AppError::NotFound(_)), "{error:?}");
    let error = progress::enrol(db, id, "no-such-module")
        .await
        .expect_err("unknown module");
    assert!(matches!(error, AppError::NotFound(_)), "{error:?}");
}

on_both_databases!(
    learner_resumes_at_first_unfinished_lesson,
    catalogue_and_my_learning_show_progress_only_where_enrolled,
    completing_a_lesson_twice_at_once_records_it_once,
    completing_an_unknown_lesson_is_not_found,
);
