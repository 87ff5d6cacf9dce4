//! Publishing content as versions, on both databases.

use academy_tests::{Learning, copy_fixture, fixtures, learner, on_both_databases, publish};
use app::ssr::entities::{lesson, lesson_progress, module, module_version};
use app::ssr::services::catalogue::SyncOutcome;
use app::ssr::services::{catalogue, learning, progress};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

async fn republishing_unchanged_content_keeps_the_version(db: &DatabaseConnection) {
    let first = publish(db, &fixtures().join("valid")).await;
    assert!(
        first
            .iter()
            .all(|(_, o)| *o == SyncOutcome::Created { version: 1 })
    );
    let again = publish(db, &fixtures().join("valid")).await;
    assert!(
        again
            .iter()
            .all(|(_, o)| *o == SyncOutcome::Unchanged { version: 1 })
    );
    assert_eq!(
        module_version::Entity::find()
            .count(db)
            .await
            .expect("count"),
        3
    );
}

async fn a_changed_lesson_publishes_a_new_version_and_keeps_progress(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    let content = copy_fixture("valid");
    publish(db, content.path()).await;
    let id = learner(db, "version@example.org").await;
    learning::complete_lesson(db, learn.context(), id, "alpha", "first")
        .await
        .expect("complete first");
    learning::complete_lesson(db, learn.context(), id, "alpha", "second")
        .await
        .expect("complete second");

    let path = content.path().join("modules/alpha/02-second.md");
    let text = std::fs::read_to_string(&path).expect("read lesson");
    std::fs::write(
        &path,
        text.replace("## The details", "## The details\n\nA new paragraph."),
    )
    .expect("edit");
    let outcomes = publish(db, content.path()).await;
    assert!(outcomes.contains(&("alpha".to_owned(), SyncOutcome::Updated { version: 2 })));
    assert!(outcomes.contains(&("beta".to_owned(), SyncOutcome::Unchanged { version: 1 })));

    let alpha = module::Entity::find()
        .filter(module::Column::Slug.eq("alpha"))
        .one(db)
        .await
        .expect("query")
        .expect("alpha");
    assert_eq!(alpha.version, 2);
    // The unchanged lesson keeps its completion; the changed one must be read again, and the learner is told.
    let summary = progress::module_progress(db, id, alpha.id)
        .await
        .expect("progress");
    assert_eq!((summary.completed, summary.total), (1, 2));
    assert_eq!(
        summary.next_lesson.map(|l| l.slug).as_deref(),
        Some("second")
    );
    let detail = catalogue::module_detail(db, &[], "alpha", Some(id))
        .await
        .expect("detail");
    assert_eq!(detail.version, 2);
    assert_eq!(
        detail
            .changed_lessons
            .iter()
            .map(|l| l.slug.as_str())
            .collect::<Vec<_>>(),
        ["second"]
    );
    assert!(
        detail
            .lessons
            .iter()
            .any(|l| l.slug == "first" && l.completed && !l.changed)
    );
    assert!(
        detail
            .lessons
            .iter()
            .any(|l| l.slug == "second" && !l.completed && l.changed)
    );
    let page = catalogue::lesson_content(db, "alpha", "second", Some(id))
        .await
        .expect("lesson");
    assert!(page.changed_since_completed && !page.completed);

    // Each progress row remembers the version and content it was earned on.
    let current: Vec<lesson::Model> = lesson::Entity::find()
        .filter(lesson::Column::ModuleId.eq(alpha.id))
        .all(db)
        .await
        .expect("lessons");
    for row in lesson_progress::Entity::find()
        .all(db)
        .await
        .expect("progress rows")
    {
        let now = current
            .iter()
            .find(|l| l.slug == row.lesson_slug)
            .expect("lesson still exists");
        assert_eq!(row.module_version, 1);
        assert_eq!(
            row.content_hash == now.content_hash,
            row.lesson_slug == "first",
            "{}",
            row.lesson_slug
        );
    }

    // Reading it again completes the module on the new version.
    let summary = learning::complete_lesson(db, learn.context(), id, "alpha", "second")
        .await
        .expect("again");
    assert_eq!((summary.completed, summary.total), (2, 2));
    let detail = catalogue::module_detail(db, &[], "alpha", Some(id))
        .await
        .expect("detail");
    assert!(detail.changed_lessons.is_empty());
}

async fn a_removed_module_is_unlisted_but_its_progress_is_kept(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    let content = copy_fixture("valid");
    publish(db, content.path()).await;
    let id = learner(db, "removed@example.org").await;
    learning::complete_lesson(db, learn.context(), id, "beta", "only")
        .await
        .expect("complete");
    std::fs::write(
        content.path().join("modules/alpha/02-second.md"),
        "+++\nslug = \"second\"\ntitle = \"Second lesson\"\nminutes = 10\noutcomes = [\"Explain\"]\n+++\n\n## The details\n",
    )
    .expect("drop the link to beta");
    std::fs::remove_dir_all(content.path().join("modules/beta")).expect("remove beta");
    // The fixture's pathway names beta; `check` would rightly refuse it now, so it goes too.
    std::fs::remove_dir_all(content.path().join("pathways")).expect("remove the pathway");
    publish(db, content.path()).await;

    let listed: Vec<String> = catalogue::list_modules(db, Some(id))
        .await
        .expect("catalogue")
        .into_iter()
        .map(|c| c.slug)
        .collect();
    assert_eq!(listed, ["alpha", "gamma"]);
    let mine = progress::my_learning(db, id).await.expect("my learning");
    assert_eq!(mine.len(), 1, "the learner's record of beta is kept");
    assert_eq!(mine[0].progress.as_ref().map(|p| p.completed), Some(1));
}

on_both_databases!(
    republishing_unchanged_content_keeps_the_version,
    a_changed_lesson_publishes_a_new_version_and_keeps_progress,
    a_removed_module_is_unlisted_but_its_progress_is_kept,
);
