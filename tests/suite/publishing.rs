//! Publishing content as versions, on both databases.

use academy_tests::{Learning, copy_fixture, fixtures, learner, on_both_databases, publish};
use app::ssr::entities::{lesson, lesson_progress, module, module_version};
use app::ssr::services::catalogue::SyncOutcome;
use app::ssr::services::content_folder::{self, FolderPublished};
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
    edit(
        &path,
        "## The details",
        "## The details\n\nA new paragraph.",
    );
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

/// Publishes the folder as a server does at start-up, returning the whole result (errors included).
async fn start_up(db: &DatabaseConnection, content: &std::path::Path) -> FolderPublished {
    content_folder::publish_folder(db, content)
        .await
        .expect("publish the folder")
}

/// Replaces `from` with `to` in the file at `path`, and returns the text as it was.
fn edit(path: &std::path::Path, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(path).expect("read the file to edit");
    assert!(
        text.contains(from),
        "{} does not hold {from:?}",
        path.display()
    );
    std::fs::write(path, text.replace(from, to)).expect("edit");
    text
}

/// Every problem start-up reported, as `path:line:column: message`.
/// Asserts start-up reported a problem whose message holds every one of `parts` (a place, what is wrong).
fn assert_reported(published: &FolderPublished, parts: &[&str]) {
    let messages: Vec<String> = published
        .report
        .errors
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| parts.iter().all(|part| m.contains(part))),
        "no problem reported with {parts:?} in {messages:?}"
    );
}

/// Asserts start-up checked every module again, for a reason that mentions `why`.
fn assert_checked_everything(published: &FolderPublished, why: &str) {
    let reason = published.report.checked_everything_because.as_deref();
    assert!(reason.is_some_and(|r| r.contains(why)), "{reason:?}");
}

async fn a_restart_with_unchanged_content_renders_no_module_again(db: &DatabaseConnection) {
    let content = copy_fixture("valid");
    let first = start_up(db, content.path()).await;
    assert_eq!(first.report.library.modules.len(), 3);
    assert!(first.report.unchanged.is_empty());

    let again = start_up(db, content.path()).await;
    assert!(again.report.errors.is_empty(), "{:?}", again.report.errors);
    assert!(again.report.library.modules.is_empty(), "nothing rendered");
    let mut unchanged: Vec<&str> = again
        .report
        .unchanged
        .iter()
        .map(|(slug, _)| slug.as_str())
        .collect();
    unchanged.sort_unstable();
    assert_eq!(unchanged, ["alpha", "beta", "gamma"]);
    assert!(
        again
            .outcomes
            .iter()
            .all(|(_, o)| *o == SyncOutcome::Unchanged { version: 1 })
    );
    assert_eq!(again.report.checked_everything_because, None);
    // Frameworks and pathways are always loaded: the server serves them from memory.
    assert_eq!(again.report.library.frameworks.len(), 1);
    assert_eq!(again.report.library.pathways.len(), 1);
}

async fn only_a_changed_module_is_rendered_and_its_links_are_checked_against_the_rest(
    db: &DatabaseConnection,
) {
    let content = copy_fixture("valid");
    start_up(db, content.path()).await;
    // alpha gains a paragraph; its link to beta, which is not rendered again, must still be found.
    let path = content.path().join("modules/alpha/02-second.md");
    let text = edit(&path, "## The details", "## The details\n\nMore.");
    let after = start_up(db, content.path()).await;
    assert!(after.report.errors.is_empty(), "{:?}", after.report.errors);
    let rendered: Vec<&str> = after
        .report
        .library
        .modules
        .iter()
        .map(|m| m.slug.as_str())
        .collect();
    assert_eq!(rendered, ["alpha"]);
    assert!(
        after
            .outcomes
            .contains(&("alpha".to_owned(), SyncOutcome::Updated { version: 2 }))
    );

    // A link from the changed module to a lesson that does not exist is caught without the full check.
    std::fs::write(
        &path,
        text.replace("lesson:beta/only", "lesson:beta/missing"),
    )
    .expect("edit");
    let broken = start_up(db, content.path()).await;
    assert_eq!(broken.report.checked_everything_because, None);
    assert_eq!(broken.report.errors.len(), 1, "{:?}", broken.report.errors);
    let error = broken.report.errors[0].to_string();
    assert!(
        error.contains("02-second.md:10:")
            && error.contains("module `beta` has no lesson `missing`"),
        "{error}"
    );
    let alpha = module::Entity::find()
        .filter(module::Column::Slug.eq("alpha"))
        .one(db)
        .await
        .expect("query")
        .expect("alpha");
    assert_eq!(alpha.version, 2, "the broken change is not published");
}

async fn taking_away_a_lesson_another_module_links_to_is_reported_where_the_link_is(
    db: &DatabaseConnection,
) {
    let content = copy_fixture("valid");
    start_up(db, content.path()).await;
    // beta (unchanged) links to `lesson:alpha/first`; alpha renames that lesson.
    let path = content.path().join("modules/alpha/01-first.md");
    edit(&path, "slug = \"first\"", "slug = \"opening\"");
    let after = start_up(db, content.path()).await;
    assert_checked_everything(&after, "module `alpha`");
    assert!(after.report.unchanged.is_empty(), "every module checked");
    assert_reported(&after, &["beta/01-only.md:8:", "has no lesson `first`"]);
}

async fn a_broken_change_that_takes_away_a_linked_lesson_is_judged_all_the_same(
    db: &DatabaseConnection,
) {
    let content = copy_fixture("valid");
    start_up(db, content.path()).await;
    // alpha renames the lesson beta links to, and breaks itself with raw HTML: it keeps its published
    // version, but beta's link to the lesson it is about to lose is reported now.
    let path = content.path().join("modules/alpha/01-first.md");
    edit(&path, "slug = \"first\"", "slug = \"opening\"");
    edit(&path, "## Key terms", "<div>raw</div>\n\n## Key terms");
    let after = start_up(db, content.path()).await;
    assert_checked_everything(&after, "module `alpha`");
    assert_reported(&after, &["raw HTML is not allowed"]);
    assert_reported(&after, &["beta/01-only.md:8:", "has no lesson `first`"]);
}

async fn removing_a_module_another_links_to_is_reported_where_the_link_is(db: &DatabaseConnection) {
    let content = copy_fixture("valid");
    start_up(db, content.path()).await;
    // alpha (unchanged) links to `lesson:beta/only`.
    std::fs::remove_dir_all(content.path().join("modules/beta")).expect("remove beta");
    let after = start_up(db, content.path()).await;
    assert_checked_everything(&after, "module `beta` is gone");
    assert_reported(
        &after,
        &[
            "alpha/02-second.md:10:",
            "module `beta` has no lesson `only`",
        ],
    );
}

async fn a_framework_that_drops_a_competency_an_unchanged_module_uses_is_reported(
    db: &DatabaseConnection,
) {
    let content = copy_fixture("valid");
    start_up(db, content.path()).await;
    let path = content.path().join("frameworks/demo.toml");
    edit(&path, "code = \"2.1\"", "code = \"2.2\"");
    let after = start_up(db, content.path()).await;
    assert_checked_everything(&after, "`demo:2.1`");
    assert_reported(&after, &["alpha/01-first.md"]);
    assert_reported(&after, &["gamma/module.toml"]);
}

async fn a_stray_file_in_an_unchanged_module_is_still_reported(db: &DatabaseConnection) {
    let content = copy_fixture("valid");
    start_up(db, content.path()).await;
    std::fs::write(content.path().join("modules/beta/notes.txt"), "draft").expect("write");
    let after = start_up(db, content.path()).await;
    assert_eq!(after.report.errors.len(), 1, "{:?}", after.report.errors);
    assert_reported(&after, &["beta/notes.txt", "unexpected file"]);
}

on_both_databases!(
    a_restart_with_unchanged_content_renders_no_module_again,
    only_a_changed_module_is_rendered_and_its_links_are_checked_against_the_rest,
    taking_away_a_lesson_another_module_links_to_is_reported_where_the_link_is,
    removing_a_module_another_links_to_is_reported_where_the_link_is,
    a_broken_change_that_takes_away_a_linked_lesson_is_judged_all_the_same,
    a_framework_that_drops_a_competency_an_unchanged_module_uses_is_reported,
    a_stray_file_in_an_unchanged_module_is_still_reported,
    republishing_unchanged_content_keeps_the_version,
    a_changed_lesson_publishes_a_new_version_and_keeps_progress,
    a_removed_module_is_unlisted_but_its_progress_is_kept,
);
