//! Authoring in the browser: who may edit, drafts that learners never see, publishing as versions, the zip
//! round trip with the `content/` folder format, the "which wins" rule and the audit trail, on both databases.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{copy_fixture, fixtures, learner, on_both_databases, publish};
use app::api::accounts::Role;
use app::error::AppError;
use app::ssr::content::{Framework, ReviewPolicy, load_library};
use app::ssr::entities::module::ModuleSource;
use app::ssr::entities::{account, audit_event, module};
use app::ssr::services::accounts::{Registration, Verified, create_account};
use app::ssr::services::authoring::{self, ExportSource, archive};
use app::ssr::services::catalogue::{self, SyncOutcome};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

async fn account_with_role(db: &DatabaseConnection, email: &str, role: Role) -> account::Model {
    create_account(
        db,
        Registration {
            email: email.into(),
            display_name: format!("Author {email}"),
            password: "a suitably long passphrase".into(),
        },
        role,
        Verified::Yes,
    )
    .await
    .expect("register")
}

fn frameworks() -> Vec<Framework> {
    load_library(&fixtures().join("valid")).library.frameworks
}

fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A lesson form that passes every check.
fn good_lesson(slug: &str, title: &str, body: &str) -> HashMap<String, String> {
    fields(&[
        ("slug", slug),
        ("title", title),
        ("minutes", "15"),
        (
            "outcomes",
            "Explain why downtime procedures matter\nList two signs of a failing interface",
        ),
        ("body", body),
        ("q0-id", &format!("{slug}-1")),
        ("q0-kind", "true-false"),
        ("q0-prompt", "Downtime procedures should be rehearsed."),
        ("q0-answer", "true"),
        (
            "q0-explanation",
            "A procedure nobody has practised fails when it is needed.",
        ),
    ])
}

/// Fills the module settings form as a course lead would.
async fn fill_settings(db: &DatabaseConnection, lead: &account::Model, slug: &str, title: &str) {
    authoring::save_settings(
        db,
        lead,
        slug,
        &fields(&[
            ("title", title),
            (
                "summary",
                "Rehearsing what to do when the clinical system is down.",
            ),
            ("audience", "Ward managers and CCIOs"),
            ("estimated_hours", "1.5"),
            ("cpd_hours", "1.5"),
            ("order", "20"),
            ("completion", "completed"),
            ("al-0", "demo:1.1"),
        ]),
    )
    .await
    .expect("save settings");
}

/// The files of a module folder, as the loader reads them.
fn folder_files(folder: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(folder)
        .expect("module folder")
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).expect("read file"),
            )
        })
        .collect()
}

fn unzip(bytes: &[u8]) -> (String, BTreeMap<String, String>) {
    archive::import(bytes).expect("a valid module archive")
}

async fn module_row(db: &DatabaseConnection, slug: &str) -> module::Model {
    module::Entity::find()
        .filter(module::Column::Slug.eq(slug))
        .one(db)
        .await
        .expect("query")
        .expect("module")
}

async fn a_learner_can_reach_no_authoring_action(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "learner@example.org").await;
    let learner = account::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("query")
        .expect("learner");
    assert_eq!(
        authoring::list_for(db, &learner, today(), ReviewPolicy::default()).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        authoring::create_module(db, &learner, "", "My module").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        authoring::start_draft(db, &learner, "alpha").await,
        Err(AppError::Forbidden)
    );
    assert!(matches!(
        authoring::export(db, &learner, "alpha", ExportSource::Version(None)).await,
        Err(AppError::Forbidden)
    ));
}

async fn a_course_lead_cannot_edit_another_leads_module(db: &DatabaseConnection) {
    let frameworks = frameworks();
    let owner = account_with_role(db, "owner@example.org", Role::CourseLead).await;
    let other = account_with_role(db, "other@example.org", Role::CourseLead).await;
    let admin = account_with_role(db, "admin@example.org", Role::Admin).await;
    let slug = authoring::create_module(db, &owner, "", "Downtime drills")
        .await
        .expect("create");
    assert_eq!(slug, "downtime-drills");

    let refused = [
        authoring::overview(db, &frameworks, &other, &slug)
            .await
            .err(),
        authoring::write_file(db, &other, &slug, "02-x.md", Some("x".into()))
            .await
            .err(),
        authoring::publish(db, &frameworks, &other, &slug, true)
            .await
            .err(),
        authoring::discard(db, &other, &slug).await.err(),
        authoring::export(db, &other, &slug, ExportSource::Draft)
            .await
            .err(),
    ];
    assert!(
        refused.iter().all(|e| *e == Some(AppError::Forbidden)),
        "{refused:?}"
    );
    assert!(
        authoring::list_for(db, &other, today(), ReviewPolicy::default())
            .await
            .expect("list")
            .is_empty(),
        "another lead's modules are not listed"
    );
    // The owner and an admin may.
    let listed = authoring::list_for(db, &owner, today(), ReviewPolicy::default())
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].slug, slug);
    assert!(listed[0].has_draft && listed[0].version.is_none());
    authoring::overview(db, &frameworks, &admin, &slug)
        .await
        .expect("admins may open any module");
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn day(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// The owner sees, per module, the lessons not checked within the review period: never checked, or checked
/// too long ago; another lead sees none of them.
async fn owners_see_the_lessons_due_for_review(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let lead = account_with_role(db, "reviewer@example.org", Role::CourseLead).await;
    let other = account_with_role(db, "other-reviewer@example.org", Role::CourseLead).await;
    let admin = account_with_role(db, "review-admin@example.org", Role::Admin).await;
    authoring::set_owner(db, &admin, "alpha", "reviewer@example.org")
        .await
        .expect("hand alpha to the lead");
    let year = ReviewPolicy {
        review_after_days: 365,
    };
    let due =
        |listed: Vec<app::model::authoring::AuthoredModule>| -> Vec<(String, Option<String>)> {
            listed
                .into_iter()
                .flat_map(|m| m.due_for_review)
                .map(|l| (l.slug, l.checked.map(|c| c.shown)))
                .collect()
        };
    // "first" was checked on 1 June 2026; "second" never says.
    let listed = authoring::list_for(db, &lead, day("2026-12-01"), year)
        .await
        .expect("list");
    assert_eq!(due(listed), [("second".to_owned(), None)]);
    let a_year_on = authoring::list_for(db, &lead, day("2027-06-02"), year)
        .await
        .expect("list");
    assert_eq!(
        due(a_year_on),
        [
            ("first".to_owned(), Some("1 June 2026".to_owned())),
            ("second".to_owned(), None)
        ]
    );
    assert!(
        authoring::list_for(db, &other, day("2027-06-02"), year)
            .await
            .expect("list")
            .is_empty()
    );

    // The owner sees the same list on the authoring page (judged today, with the default year).
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let signed_in = browser
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[
                ("email", "reviewer@example.org"),
                ("password", "a suitably long passphrase"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 302);
    let page = browser.get("/author").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Due for review (1)")
            && page.body.contains("Second lesson")
            && page.body.contains("never dated"),
        "{}",
        page.body
    );
}

async fn a_content_module_is_admin_only_until_it_has_an_owner(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let lead = account_with_role(db, "lead@example.org", Role::CourseLead).await;
    let admin = account_with_role(db, "admin@example.org", Role::Admin).await;
    assert_eq!(
        authoring::start_draft(db, &lead, "alpha").await,
        Err(AppError::Forbidden)
    );
    authoring::set_owner(db, &admin, "alpha", "LEAD@example.org")
        .await
        .expect("hand alpha to the lead");
    authoring::start_draft(db, &lead, "alpha")
        .await
        .expect("the owner may now edit");
    // The draft holds the folder's files byte for byte.
    let (_, files) = unzip(
        &authoring::export(db, &lead, "alpha", ExportSource::Draft)
            .await
            .expect("export draft")
            .1,
    );
    assert_eq!(files, folder_files(&fixtures().join("valid/modules/alpha")));
    // Only course leads and admins can be made owners.
    learner(db, "learner@example.org").await;
    assert!(matches!(
        authoring::set_owner(db, &admin, "alpha", "learner@example.org").await,
        Err(AppError::Invalid { .. })
    ));
    assert_eq!(
        authoring::set_owner(db, &lead, "alpha", "lead@example.org").await,
        Err(AppError::Forbidden),
        "only admins hand modules over"
    );
}

async fn problems_show_next_to_their_field_and_block_publishing(db: &DatabaseConnection) {
    let frameworks = frameworks();
    publish(db, &fixtures().join("valid")).await;
    let lead = account_with_role(db, "lead@example.org", Role::CourseLead).await;
    let slug = authoring::create_module(db, &lead, "handover", "Safe handover")
        .await
        .expect("create");
    // A new lesson has no outcomes yet: the editor puts that next to the outcomes field.
    let editor = authoring::lesson_editor(db, &frameworks, &lead, &slug, "01-introduction.md")
        .await
        .expect("editor");
    assert!(
        editor.field_errors.iter().any(|e| e.field == "outcomes"),
        "{:?} / {:?}",
        editor.field_errors,
        editor.other_problems
    );
    let refused = authoring::publish(db, &frameworks, &lead, &slug, false).await;
    assert!(
        matches!(&refused, Err(AppError::Conflict(m)) if m.contains("problem")),
        "{refused:?}"
    );

    // A broken link and a misspelt alignment are named with their line.
    let mut lesson = good_lesson(
        "introduction",
        "Introduction",
        "See [nowhere](lesson:missing-lesson), [the details](lesson:alpha/second#the-details) and \
         [another module's gap](lesson:alpha/no-such-lesson).",
    );
    lesson.insert("al-0".into(), "demo:9.9".into());
    authoring::save_lesson(db, &lead, &slug, "01-introduction.md", &lesson)
        .await
        .expect("save");
    let editor = authoring::lesson_editor(db, &frameworks, &lead, &slug, "01-introduction.md")
        .await
        .expect("editor");
    let body = editor
        .field_errors
        .iter()
        .find(|e| e.field == "body")
        .expect("the broken link is shown at the body");
    assert!(body.message.contains("missing-lesson"), "{}", body.message);
    // Links into other modules are checked against what is published: a real heading passes, a missing
    // lesson is named.
    let link_problems: Vec<&str> = editor
        .field_errors
        .iter()
        .filter(|e| e.field == "body")
        .map(|e| e.message.as_str())
        .collect();
    assert!(
        link_problems
            .iter()
            .any(|m| m.contains("alpha/no-such-lesson")),
        "{link_problems:?}"
    );
    assert!(
        !link_problems.iter().any(|m| m.contains("the-details")),
        "{link_problems:?}"
    );
    assert!(
        editor
            .field_errors
            .iter()
            .any(|e| e.message.contains("9.9"))
            || editor
                .other_problems
                .iter()
                .any(|p| p.message.contains("9.9")),
        "the unknown competency is reported: {:?} / {:?}",
        editor.field_errors,
        editor.other_problems
    );
    // The preview is the learners' renderer: the heading anchor and sanitising apply.
    let preview = authoring::preview(
        &lead,
        "## Hazard log\n\n<script>alert(1)</script>".to_owned(),
        slug.clone(),
    )
    .await
    .expect("a lead may preview");
    assert!(preview.contains("id=\"hazard-log\""), "{preview}");
    assert!(!preview.contains("<script"), "{preview}");
    // Text nested too deeply to render in bounded time is refused, naming where.
    let refused = authoring::preview(
        &lead,
        format!("Intro\n\n{}deep\n", "> ".repeat(10_000)),
        slug.clone(),
    )
    .await;
    match refused {
        Err(AppError::BadRequest(message)) => {
            assert!(message.starts_with("line 3, column 65:"), "{message}")
        }
        other => panic!("deep nesting must be refused: {other:?}"),
    }
}

async fn drafts_never_reach_learners_and_publishing_makes_versions(db: &DatabaseConnection) {
    let frameworks = frameworks();
    let lead = account_with_role(db, "lead@example.org", Role::CourseLead).await;
    let slug = authoring::create_module(db, &lead, "", "Downtime drills")
        .await
        .expect("create");
    fill_settings(db, &lead, &slug, "Downtime drills").await;
    let listed = |cards: Vec<app::api::catalogue::ModuleCard>| {
        cards.iter().any(|c| c.slug == "downtime-drills")
    };
    assert!(!listed(
        catalogue::list_modules(db, None).await.expect("catalogue")
    ));
    assert!(matches!(
        catalogue::module_detail(db, &frameworks, &slug, None).await,
        Err(AppError::NotFound(_))
    ));

    authoring::save_lesson(
        db,
        &lead,
        &slug,
        "01-introduction.md",
        &good_lesson(
            "introduction",
            "Introduction",
            "## Why drill\n\nFirst text.",
        ),
    )
    .await
    .expect("save lesson");
    let overview = authoring::overview(db, &frameworks, &lead, &slug)
        .await
        .expect("overview");
    let draft = overview.draft.expect("draft");
    assert!(draft.problems.is_empty(), "{:?}", draft.problems);
    assert_eq!(draft.changes.added, ["Introduction (introduction)"]);

    let first = authoring::publish(db, &frameworks, &lead, &slug, false)
        .await
        .expect("publish");
    assert_eq!(first.version, 1);
    assert!(listed(
        catalogue::list_modules(db, None).await.expect("catalogue")
    ));
    let seen = catalogue::lesson_content(db, &slug, "introduction", None)
        .await
        .expect("learners see the published lesson");
    assert!(seen.html.contains("First text."));
    let row = module_row(db, &slug).await;
    assert_eq!(
        (row.source, row.owner_id),
        (ModuleSource::Browser, Some(lead.id))
    );

    // A second draft: edit the lesson, add one. Learners still see version 1 until it is published.
    authoring::start_draft(db, &lead, &slug)
        .await
        .expect("draft");
    authoring::save_lesson(
        db,
        &lead,
        &slug,
        "01-introduction.md",
        &good_lesson(
            "introduction",
            "Introduction",
            "## Why drill\n\nSecond text.",
        ),
    )
    .await
    .expect("edit");
    let added = authoring::add_lesson(db, &lead, &slug, "Running the drill")
        .await
        .expect("add lesson");
    assert_eq!(added, "02-running-the-drill.md");
    authoring::save_lesson(
        db,
        &lead,
        &slug,
        &added,
        &good_lesson("running-the-drill", "Running the drill", "Steps."),
    )
    .await
    .expect("fill lesson");
    let seen = catalogue::lesson_content(db, &slug, "introduction", None)
        .await
        .expect("lesson");
    assert!(
        seen.html.contains("First text.") && !seen.html.contains("Second text."),
        "the draft is not visible to learners"
    );
    assert!(
        catalogue::lesson_content(db, &slug, "running-the-drill", None)
            .await
            .is_err()
    );

    let second = authoring::publish(db, &frameworks, &lead, &slug, false)
        .await
        .expect("publish v2");
    assert_eq!(second.version, 2);
    assert_eq!(
        second.changes.added,
        ["Running the drill (running-the-drill)"]
    );
    assert_eq!(second.changes.changed, ["Introduction (introduction)"]);
    assert!(second.changes.removed.is_empty());
    let seen = catalogue::lesson_content(db, &slug, "introduction", None)
        .await
        .expect("lesson");
    assert!(seen.html.contains("Second text."));
    // Publishing removed the draft; every version stays exportable.
    assert!(
        authoring::overview(db, &frameworks, &lead, &slug)
            .await
            .expect("overview")
            .draft
            .is_none()
    );
    let (_, v1) = unzip(
        &authoring::export(db, &lead, &slug, ExportSource::Version(Some(1)))
            .await
            .expect("export v1")
            .1,
    );
    assert_eq!(v1.len(), 2, "module.toml and one lesson: {:?}", v1.keys());
}

async fn a_draft_over_a_newer_version_needs_confirmation(db: &DatabaseConnection) {
    let frameworks = frameworks();
    let content = copy_fixture("valid");
    publish(db, content.path()).await;
    let admin = account_with_role(db, "admin@example.org", Role::Admin).await;
    authoring::start_draft(db, &admin, "alpha")
        .await
        .expect("draft");
    // Someone changes the folder and the server restarts: version 2 is published from files.
    let path = content.path().join("modules/alpha/02-second.md");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}\nA line from git.\n")).expect("write");
    let outcomes = publish(db, content.path()).await;
    assert!(outcomes.contains(&("alpha".to_owned(), SyncOutcome::Updated { version: 2 })));

    let overview = authoring::overview(db, &frameworks, &admin, "alpha")
        .await
        .expect("overview");
    assert!(overview.draft.expect("draft").stale);
    let refused = authoring::publish(db, &frameworks, &admin, "alpha", false).await;
    assert!(
        matches!(&refused, Err(AppError::Conflict(m)) if m.contains("Version 2")),
        "{refused:?}"
    );
    let published = authoring::publish(db, &frameworks, &admin, "alpha", true)
        .await
        .expect("publish over the newer version when confirmed");
    assert_eq!(published.version, 3);
}

async fn export_then_import_reproduces_the_module_byte_for_byte(db: &DatabaseConnection) {
    let frameworks = frameworks();
    publish(db, &fixtures().join("valid")).await;
    let admin = account_with_role(db, "admin@example.org", Role::Admin).await;
    let (name, exported) = authoring::export(db, &admin, "alpha", ExportSource::Version(None))
        .await
        .expect("export");
    assert_eq!(name, "alpha-v1.zip");
    let (slug, files) = unzip(&exported);
    assert_eq!(slug, "alpha");
    assert_eq!(
        files,
        folder_files(&fixtures().join("valid/modules/alpha")),
        "the export is the content/ folder format"
    );

    let imported = authoring::import(db, &admin, &exported)
        .await
        .expect("import");
    assert_eq!(imported, "alpha");
    let (_, again) = authoring::export(db, &admin, "alpha", ExportSource::Draft)
        .await
        .expect("export the imported draft");
    assert_eq!(again, exported, "export → import → export is byte-stable");
    // Nothing changed, so publishing keeps the version.
    let published = authoring::publish(db, &frameworks, &admin, "alpha", false)
        .await
        .expect("publish");
    assert_eq!(published.version, 1);
    assert!(published.changes.is_empty(), "{:?}", published.changes);

    // An import never overwrites a draft in progress.
    authoring::start_draft(db, &admin, "alpha")
        .await
        .expect("draft");
    assert!(matches!(
        authoring::import(db, &admin, &exported).await,
        Err(AppError::Conflict(_))
    ));
}

async fn a_bad_archive_is_refused_naming_the_entry(db: &DatabaseConnection) {
    let admin = account_with_role(db, "admin@example.org", Role::Admin).await;
    let not_zip = authoring::import(db, &admin, b"just some text").await;
    assert!(
        matches!(&not_zip, Err(e) if e.field_message("archive").is_some_and(|m| m.contains("not a zip"))),
        "{not_zip:?}"
    );
    let mut files = BTreeMap::new();
    files.insert("module.toml".to_owned(), "title = \"x\"\n".to_owned());
    files.insert("notes.txt".to_owned(), "stray".to_owned());
    let bytes = archive::export("stray", &files).expect("zip");
    let refused = authoring::import(db, &admin, &bytes).await;
    assert!(
        matches!(&refused, Err(e) if e.field_message("archive").is_some_and(|m| m.contains("stray/notes.txt"))),
        "{refused:?}"
    );
}

async fn the_browser_version_wins_until_the_folder_matches_it(db: &DatabaseConnection) {
    let frameworks = frameworks();
    let content = copy_fixture("valid");
    publish(db, content.path()).await;
    let admin = account_with_role(db, "admin@example.org", Role::Admin).await;
    authoring::start_draft(db, &admin, "alpha")
        .await
        .expect("draft");
    let path = content.path().join("modules/alpha/02-second.md");
    let original = std::fs::read_to_string(&path).expect("read");
    authoring::write_file(
        db,
        &admin,
        "alpha",
        "02-second.md",
        Some(format!("{original}\nEdited in the browser.\n")),
    )
    .await
    .expect("edit");
    let published = authoring::publish(db, &frameworks, &admin, "alpha", false)
        .await
        .expect("publish");
    assert_eq!(published.version, 2);

    // The folder changes differently; restarting must not silently overwrite the browser's version.
    std::fs::write(&path, format!("{original}\nEdited in git.\n")).expect("write");
    let outcomes = publish(db, content.path()).await;
    assert!(
        outcomes.contains(&(
            "alpha".to_owned(),
            SyncOutcome::KeptBrowserVersion { version: 2 }
        )),
        "{outcomes:?}"
    );
    let seen = catalogue::lesson_content(db, "alpha", "second", None)
        .await
        .expect("lesson");
    assert!(seen.html.contains("Edited in the browser."));
    assert!(!seen.html.contains("Edited in git."));

    // Exporting the browser's version into content/ makes the folder lead again.
    let (_, files) = unzip(
        &authoring::export(db, &admin, "alpha", ExportSource::Version(None))
            .await
            .expect("export")
            .1,
    );
    for (name, text) in &files {
        std::fs::write(content.path().join("modules/alpha").join(name), text).expect("write");
    }
    let outcomes = publish(db, content.path()).await;
    assert!(outcomes.contains(&("alpha".to_owned(), SyncOutcome::Unchanged { version: 2 })));
    assert_eq!(module_row(db, "alpha").await.source, ModuleSource::Files);
}

async fn every_authoring_action_is_in_the_audit_log(db: &DatabaseConnection) {
    let frameworks = frameworks();
    let lead = account_with_role(db, "lead@example.org", Role::CourseLead).await;
    let slug = authoring::create_module(db, &lead, "", "Audit me")
        .await
        .expect("create");
    fill_settings(db, &lead, &slug, "Audit me").await;
    authoring::save_lesson(
        db,
        &lead,
        &slug,
        "01-introduction.md",
        &good_lesson("introduction", "Introduction", "Text."),
    )
    .await
    .expect("save");
    authoring::publish(db, &frameworks, &lead, &slug, false)
        .await
        .expect("publish");
    authoring::start_draft(db, &lead, &slug)
        .await
        .expect("draft");
    authoring::discard(db, &lead, &slug).await.expect("discard");

    let events = audit_event::Entity::find()
        .filter(audit_event::Column::Subject.eq(format!("module:{slug}")))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await
        .expect("audit");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "module.created",
            "module.draft_edited",
            "module.draft_edited",
            "module.published",
            "module.draft_started",
            "module.draft_discarded"
        ]
    );
    assert!(events.iter().all(|e| e.actor_id == Some(lead.id)));
    let published = &events[3];
    assert!(
        published.detail.contains("\"version\":1"),
        "{}",
        published.detail
    );
}

async fn authoring_pages_are_for_owners_and_admins_only(db: &DatabaseConnection) {
    let router = app_for(db, &fixtures().join("valid")).await;
    account_with_role(db, "lead@example.org", Role::CourseLead).await;

    let mut anonymous = Browser::new(router.clone());
    let page = anonymous.get("/author").await;
    assert!(
        page.status == 401 || page.location.is_some_and(|l| l.contains("sign-in")),
        "{}",
        page.status
    );

    let mut learner_browser = Browser::new(router.clone());
    learner_browser
        .register_verified(
            db,
            "learner@example.org",
            "A Learner",
            "a suitably long passphrase",
        )
        .await;
    for path in [
        "/author",
        "/author/alpha",
        "/author/alpha/lessons/01-first.md",
        "/author/alpha/export.zip",
    ] {
        let page = learner_browser.get(path).await;
        assert_eq!(page.status, 403, "{path}: {}", page.status);
    }
    let created = learner_browser
        .post_form("/api/create-module", "/author", &[("title", "Sneaky")])
        .await;
    assert!(
        created.status == 403
            || created
                .location
                .as_deref()
                .is_some_and(|l| !l.contains("/author/sneaky")),
        "{} {:?}",
        created.status,
        created.location
    );
    assert!(
        module::Entity::find()
            .filter(module::Column::Slug.eq("sneaky"))
            .one(db)
            .await
            .expect("query")
            .is_none()
    );

    // A course lead creates a module through the forms, without JavaScript, and sees its editor.
    let mut lead = Browser::new(router);
    let signed_in = lead
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[
                ("email", "lead@example.org"),
                ("password", "a suitably long passphrase"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 302);
    let created = lead
        .post_form("/api/create-module", "/author", &[("title", "Ward rounds")])
        .await;
    assert_eq!(created.status, 302, "{}", created.body);
    assert_eq!(created.location.as_deref(), Some("/author/ward-rounds"));
    let page = lead.get("/author/ward-rounds").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ward rounds"));
    let editor = lead
        .get("/author/ward-rounds/lessons/01-introduction.md")
        .await;
    assert_eq!(editor.status, 200);
    assert!(editor.body.contains("name=\"fields[body]\"") || editor.body.contains("fields[body]"));

    // Saving the form with the date its facts were checked keeps that date in the lesson's front matter.
    let editor_path = "/author/ward-rounds/lessons/01-introduction.md";
    let saved = lead
        .post_form(
            "/api/save-lesson",
            editor_path,
            &[
                ("module", "ward-rounds"),
                ("file", "01-introduction.md"),
                ("fields[slug]", "introduction"),
                ("fields[title]", "Introduction"),
                ("fields[minutes]", "10"),
                ("fields[checked]", "2026-12-07"),
                ("fields[outcomes]", "Say what a ward round is for"),
                (
                    "fields[body]",
                    "A ward round reviews every patient on the ward.\n",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, 302, "{}", saved.body);
    let editor = lead.get(editor_path).await;
    assert!(
        editor.body.contains("2026-12-07"),
        "the editor shows the saved date: {}",
        editor.body
    );
    let source = lead
        .get("/author/ward-rounds/source/01-introduction.md")
        .await;
    assert!(
        source.body.contains("checked = \"2026-12-07\""),
        "the front matter carries it: {}",
        source.body
    );
}

async fn concurrent_saves_keep_both_and_bad_settings_are_never_overwritten(
    db: &DatabaseConnection,
) {
    let frameworks = frameworks();
    let lead = account_with_role(db, "lead@example.org", Role::CourseLead).await;
    let slug = authoring::create_module(db, &lead, "", "Two tabs")
        .await
        .expect("create");
    // Two saves of different files at the same moment: neither is lost.
    let (a, b) = tokio::join!(
        authoring::write_file(db, &lead, &slug, "02-a.md", Some("A".into())),
        authoring::write_file(db, &lead, &slug, "03-b.md", Some("B".into())),
    );
    a.expect("first save");
    b.expect("second save");
    let (_, files) = unzip(
        &authoring::export(db, &lead, &slug, ExportSource::Draft)
            .await
            .expect("export")
            .1,
    );
    assert_eq!(files.get("02-a.md").map(String::as_str), Some("A"));
    assert_eq!(files.get("03-b.md").map(String::as_str), Some("B"));

    // module.toml that cannot be read as fields: the settings form is not offered, so it cannot be blanked.
    authoring::write_file(
        db,
        &lead,
        &slug,
        "module.toml",
        Some("title = [broken".into()),
    )
    .await
    .expect("save broken settings");
    let overview = authoring::overview(db, &frameworks, &lead, &slug)
        .await
        .expect("overview");
    let draft = overview.draft.expect("draft");
    assert!(draft.settings.is_none());
    assert!(draft.problems.iter().any(|p| p.file == "module.toml"));

    // Limits: a file over 1 MiB is refused, and nothing is saved.
    let huge = "x".repeat(1024 * 1024 + 1);
    assert!(matches!(
        authoring::write_file(db, &lead, &slug, "04-huge.md", Some(huge)).await,
        Err(AppError::Conflict(m)) if m.contains("04-huge.md")
    ));
    // An address the authoring pages use cannot be taken.
    assert!(matches!(
        authoring::create_module(db, &lead, "import", "Import").await,
        Err(AppError::Invalid { errors, .. }) if errors.iter().any(|e| e.field == "slug")
    ));
}

async fn ownership_follows_the_hand_over_and_publishing_does_not_change_it(
    db: &DatabaseConnection,
) {
    let frameworks = frameworks();
    publish(db, &fixtures().join("valid")).await;
    let admin = account_with_role(db, "admin@example.org", Role::Admin).await;
    let first = account_with_role(db, "first@example.org", Role::CourseLead).await;
    account_with_role(db, "second@example.org", Role::CourseLead).await;
    // An admin editing a content/ module does not become its owner by publishing.
    authoring::start_draft(db, &admin, "alpha")
        .await
        .expect("draft");
    authoring::write_file(
        db,
        &admin,
        "alpha",
        "module.toml",
        Some(
            std::fs::read_to_string(fixtures().join("valid/modules/alpha/module.toml"))
                .expect("read")
                .replace("A module for tests.", "A module for tests, edited."),
        ),
    )
    .await
    .expect("edit");
    authoring::publish(db, &frameworks, &admin, "alpha", false)
        .await
        .expect("publish");
    assert_eq!(module_row(db, "alpha").await.owner_id, None);

    // A lead's draft of a module handed to someone else leaves the lead's list.
    authoring::set_owner(db, &admin, "alpha", "first@example.org")
        .await
        .expect("hand to first");
    authoring::start_draft(db, &first, "alpha")
        .await
        .expect("first edits");
    assert_eq!(
        authoring::list_for(db, &first, today(), ReviewPolicy::default())
            .await
            .expect("list")
            .len(),
        1
    );
    authoring::set_owner(db, &admin, "alpha", "second@example.org")
        .await
        .expect("hand to second");
    assert!(
        authoring::list_for(db, &first, today(), ReviewPolicy::default())
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        authoring::write_file(db, &first, "alpha", "02-x.md", Some("x".into())).await,
        Err(AppError::Forbidden)
    );
}

async fn a_server_function_refuses_an_oversized_body(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let body = "x".repeat(5 * 1024 * 1024);
    let page = browser
        .post_json_form(
            "/api/preview-markdown",
            &[("module", "alpha"), ("body", &body)],
        )
        .await;
    assert_eq!(
        page.status,
        413,
        "{}",
        &page.body[..page.body.len().min(300)]
    );
}

on_both_databases!(
    owners_see_the_lessons_due_for_review,
    concurrent_saves_keep_both_and_bad_settings_are_never_overwritten,
    ownership_follows_the_hand_over_and_publishing_does_not_change_it,
    a_server_function_refuses_an_oversized_body,
    a_learner_can_reach_no_authoring_action,
    a_course_lead_cannot_edit_another_leads_module,
    a_content_module_is_admin_only_until_it_has_an_owner,
    problems_show_next_to_their_field_and_block_publishing,
    drafts_never_reach_learners_and_publishing_makes_versions,
    a_draft_over_a_newer_version_needs_confirmation,
    export_then_import_reproduces_the_module_byte_for_byte,
    a_bad_archive_is_refused_naming_the_entry,
    the_browser_version_wins_until_the_folder_matches_it,
    every_authoring_action_is_in_the_audit_log,
    authoring_pages_are_for_owners_and_admins_only,
);
