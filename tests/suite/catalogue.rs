//! Finding a module in a large catalogue: pages of twenty, and full-text search over titles, summaries and
//! lesson text, in each database's own engine; on both databases, and through the real router.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{copy_fixture, fixtures, learner, on_both_databases, publish};
use app::model::catalogue::CATALOGUE_PAGE_SIZE;
use app::ssr::entities::module_search_text;
use app::ssr::services::{catalogue, progress};
use sea_orm::{DatabaseConnection, EntityTrait};

fn slugs(results: &app::model::catalogue::CatalogueResults) -> Vec<&str> {
    results.cards.iter().map(|c| c.slug.as_str()).collect()
}

async fn search_matches_titles_summaries_and_lesson_text(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;

    // Lesson text: "hazards" is in gamma's lesson and "Hazard" in alpha's; found by the word, a prefix and
    // another form of it.
    // A stop word beside a real word ("the" is one in PostgreSQL's English configuration, not in SQLite's
    // FTS5) changes nothing on either database.
    for typed in ["hazards", "HAZ", "hazard", "the hazards"] {
        let found = catalogue::browse(db, None, typed, 1).await.expect("search");
        let mut found = slugs(&found);
        found.sort_unstable();
        assert_eq!(found, ["alpha", "gamma"], "searching {typed:?}");
    }
    let short = catalogue::browse(db, None, "short haz", 1)
        .await
        .expect("search");
    assert_eq!(slugs(&short), ["gamma"], "only gamma's lesson is short");
    assert_eq!((short.total, short.page, short.pages), (1, 1, 1));
    // A title, and every word must match: "module" is in all three, "tests" only in two summaries.
    let found = catalogue::browse(db, None, "gamma", 1)
        .await
        .expect("search");
    assert_eq!(slugs(&found), ["gamma"]);
    let mut found = slugs(
        &catalogue::browse(db, None, "module tests", 1)
            .await
            .expect("search"),
    )
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, ["alpha", "beta"]);

    let nothing = catalogue::browse(db, None, "zzyzx", 1)
        .await
        .expect("search");
    assert!(nothing.cards.is_empty());
    assert_eq!(
        (nothing.total, nothing.pages, nothing.query.as_str()),
        (0, 1, "zzyzx")
    );
}

async fn query_syntax_typed_by_a_learner_is_only_ever_words(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    // Operators of FTS5 and tsquery, quotes and a column filter: none reaches either engine's parser.
    for typed in [
        "\"",
        "*",
        "title:gamma",
        "gamma OR NOT alpha",
        "a & !b | c:*",
        "NEAR(",
        "'; --",
    ] {
        let found = catalogue::browse(db, None, typed, 1)
            .await
            .unwrap_or_else(|e| panic!("searching {typed:?} failed: {e}"));
        assert!(found.total <= 3, "searching {typed:?}");
    }
    // Nothing left to search for: the whole catalogue, not an error.
    let all = catalogue::browse(db, None, "\"*():", 1)
        .await
        .expect("browse");
    assert_eq!((all.total, all.query.as_str()), (3, ""));
    // As FTS5 syntax `title:gamma` would find gamma by its title; as words, "title" is in no module.
    let column = catalogue::browse(db, None, "title:gamma", 1)
        .await
        .expect("search");
    assert_eq!(column.total, 0, "a column filter is two words, both needed");
}

/// A content folder holding `count` small modules, `m01`, `m02`, … in that catalogue order.
fn many_modules(count: usize) -> tempfile::TempDir {
    let dir = copy_fixture("valid");
    let modules = dir.path().join("modules");
    for name in ["alpha", "beta", "gamma"] {
        std::fs::remove_dir_all(modules.join(name)).expect("remove fixture module");
    }
    std::fs::remove_dir_all(dir.path().join("pathways")).expect("remove the fixture's pathway");
    for n in 1..=count {
        let folder = modules.join(format!("m{n:02}"));
        std::fs::create_dir_all(&folder).expect("module folder");
        std::fs::write(
            folder.join("module.toml"),
            format!(
                "title = \"Module {n:02}\"\nsummary = \"A module for paging.\"\naudience = \"Testers\"\n\
                 estimated_hours = 1\ncpd_hours = 1\norder = {n}\ncompletion = \"completed\"\n\
                 alignments = [\"demo:1.1\"]\n"
            ),
        )
        .expect("module.toml");
        std::fs::write(
            folder.join("01-only.md"),
            "+++\nslug = \"only\"\ntitle = \"Only lesson\"\nminutes = 10\noutcomes = [\"Turn a page\"]\n+++\n\nWords to find.\n",
        )
        .expect("lesson");
    }
    dir
}

async fn the_catalogue_comes_a_page_at_a_time(db: &DatabaseConnection) {
    let content = many_modules(25);
    publish(db, content.path()).await;

    let first = catalogue::browse(db, None, "", 1).await.expect("page 1");
    assert_eq!((first.total, first.page, first.pages), (25, 1, 2));
    assert_eq!(first.cards.len(), CATALOGUE_PAGE_SIZE as usize);
    assert_eq!(first.cards[0].slug, "m01");
    assert_eq!(first.shown_range(), (1, 20));
    assert_eq!(first.page_href(2), "/?page=2");

    let second = catalogue::browse(db, None, "", 2).await.expect("page 2");
    assert_eq!(slugs(&second), ["m21", "m22", "m23", "m24", "m25"]);
    assert_eq!(second.shown_range(), (21, 25));
    assert_eq!(second.page_href(1), "/");

    // Past the end (or before the start) is the nearest real page, never an empty one.
    let past = catalogue::browse(db, None, "", 99).await.expect("page 99");
    assert_eq!(past.page, 2);
    assert_eq!(
        catalogue::browse(db, None, "", 0)
            .await
            .expect("page 0")
            .page,
        1
    );

    // Search results page the same way, and their links keep the search.
    let searched = catalogue::browse(db, None, "words paging", 2)
        .await
        .expect("search page 2");
    assert_eq!(
        (searched.total, searched.page, searched.cards.len()),
        (25, 2, 5)
    );
    assert_eq!(searched.page_href(1), "/?q=words%20paging");
    assert_eq!(searched.page_href(2), "/?q=words%20paging&page=2");
}

async fn progress_shows_on_the_learners_own_cards(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "browse@example.org").await;
    progress::enrol(db, id, "alpha").await.expect("enrol");
    let mine = catalogue::browse(db, Some(id), "", 1)
        .await
        .expect("browse");
    let alpha = mine
        .cards
        .iter()
        .find(|c| c.slug == "alpha")
        .expect("alpha");
    assert_eq!(
        alpha.progress.as_ref().map(|p| (p.completed, p.total)),
        Some((0, 2))
    );
    assert!(
        mine.cards
            .iter()
            .filter(|c| c.slug != "alpha")
            .all(|c| c.progress.is_none())
    );
    let anonymous = catalogue::browse(db, None, "", 1).await.expect("browse");
    assert!(anonymous.cards.iter().all(|c| c.progress.is_none()));
}

async fn removed_modules_drop_out_and_a_lost_index_is_rebuilt_at_start_up(db: &DatabaseConnection) {
    let content = copy_fixture("valid");
    publish(db, content.path()).await;

    // The index is derived data: with every row gone (as after the upgrade that added search), the next
    // start-up rebuilds it from the published versions.
    module_search_text::Entity::delete_many()
        .exec(db)
        .await
        .expect("empty the index");
    assert_eq!(
        catalogue::browse(db, None, "short", 1)
            .await
            .expect("search")
            .total,
        0
    );
    publish(db, content.path()).await;
    let found = catalogue::browse(db, None, "short", 1)
        .await
        .expect("search");
    assert_eq!(slugs(&found), ["gamma"]);

    std::fs::remove_dir_all(content.path().join("modules/gamma")).expect("remove gamma");
    std::fs::remove_dir_all(content.path().join("pathways"))
        .expect("remove the pathway naming gamma");
    publish(db, content.path()).await;
    let gone = catalogue::browse(db, None, "short", 1)
        .await
        .expect("search");
    assert_eq!(gone.total, 0, "an unlisted module is not found");
}

on_both_databases!(
    search_matches_titles_summaries_and_lesson_text,
    query_syntax_typed_by_a_learner_is_only_ever_words,
    the_catalogue_comes_a_page_at_a_time,
    progress_shows_on_the_learners_own_cards,
    removed_modules_drop_out_and_a_lost_index_is_rebuilt_at_start_up,
);

/// The search is a plain GET form: with JavaScript off, `/?q=` renders the matching modules, says how many
/// matched, and keeps what was typed in the box.
#[tokio::test]
async fn a_search_works_without_javascript() {
    let db = academy_tests::TestDb::sqlite().await;
    let mut browser = Browser::new(app_for(&db.conn, &fixtures().join("valid")).await);
    let page = browser.get("/?q=short+lesson").await;
    assert_eq!(page.status, http::StatusCode::OK);
    assert!(page.body.contains("Gamma module"), "{}", page.body);
    assert!(!page.body.contains("Alpha module"));
    assert!(page.body.contains("1 module matches “short lesson”"));
    assert!(page.body.contains(r#"name="q""#) && page.body.contains(r#"value="short lesson""#));

    let none = browser.get("/?q=zzyzx").await;
    assert!(
        none.body.contains("No modules match “zzyzx”"),
        "{}",
        none.body
    );
    db.finish().await;
}

/// A lesson tells learners when its facts were last checked, and says nothing when it does not know.
#[tokio::test]
async fn a_lesson_says_when_its_facts_were_checked() {
    let db = academy_tests::TestDb::sqlite().await;
    let mut browser = Browser::new(app_for(&db.conn, &fixtures().join("valid")).await);
    let dated = browser.get("/modules/alpha/lessons/first").await;
    // Without the empty comments Leptos leaves after text it may replace when it hydrates the page.
    let markup = dated.body.replace("<!>", "");
    assert!(
        markup.contains(
            r#"checked against their sources on <time datetime="2026-06-01">1 June 2026</time>"#
        ),
        "{markup}"
    );
    let undated = browser.get("/modules/alpha/lessons/second").await;
    assert_eq!(undated.status, http::StatusCode::OK);
    assert!(!undated.body.contains("checked against their sources"));
    db.finish().await;
}
