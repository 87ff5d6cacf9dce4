//! A learner's data rights: a copy of everything, leaving a cohort, erasure that withdraws records, and the
//! retention limit. Through the real router and the services, on both databases.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{fixtures, on_both_databases};
use app::api::accounts::Role;
use app::error::AppError;
use app::ssr::entities::{
    account, audit_event, cohort, cohort_member, completion_record, enrolment, lesson_progress,
    quiz_attempt, session, xapi_statement,
};
use app::ssr::records::jwt;
use app::ssr::records::status_list::StatusList;
use app::ssr::services::{accounts, cohorts, personal_data, records};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashMap;
use std::io::Read;

const PASSWORD: &str = "a long enough passphrase";

/// A learner who has done a bit of everything: enrolled, read and completed beta (earning its record),
/// answered gamma's check, and joined a cohort. Returns their browser and account.
async fn busy_learner(db: &DatabaseConnection, email: &str) -> (Browser, account::Model) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(db, email, "Dr Busy Learner", PASSWORD)
        .await;
    browser
        .post_form("/api/enrol", "/modules/beta", &[("module", "beta")])
        .await;
    browser.open_lesson("beta", "only").await;
    let done = browser
        .post_form(
            "/api/complete-lesson",
            "/modules/beta/lessons/only",
            &[("module", "beta"), ("lesson", "only")],
        )
        .await;
    assert_eq!(done.status, 302, "{}", done.body);
    browser
        .post_form(
            "/api/submit-quiz",
            "/modules/gamma/lessons/only",
            &[
                ("module", "gamma"),
                ("scope", "only"),
                ("answers[only-1][choice]", "0"),
            ],
        )
        .await;
    let lead = academy_tests::account(db, &format!("lead-{email}"), Role::CourseLead).await;
    let cohort_id = cohorts::create(
        db,
        &lead,
        "Data rights",
        vec!["beta".into()],
        &HashMap::new(),
    )
    .await
    .expect("cohort");
    let code = cohort::Entity::find_by_id(cohort_id)
        .one(db)
        .await
        .expect("q")
        .expect("cohort")
        .join_code;
    let learner = accounts::find_by_email(db, email)
        .await
        .expect("q")
        .expect("learner");
    cohorts::join(db, &learner, &code).await.expect("join");
    (browser, learner)
}

fn unzip(bytes: &[u8]) -> HashMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("text");
            (entry.name().expect("an entry name").to_string(), text)
        })
        .collect()
}

async fn a_learner_downloads_everything_held_about_them(db: &DatabaseConnection) {
    let (mut browser, learner) = busy_learner(db, "export@example.org").await;
    academy_tests::learner(db, "someone-else@example.org").await;
    let download = browser.get_bytes("/account/data.zip").await;
    assert_eq!(download.status, 200);
    assert_eq!(download.cache_control.as_deref(), Some("private, no-store"));
    let files = unzip(&download.bytes);
    for name in [
        "README.txt",
        "data.json",
        "profile.csv",
        "enrolments.csv",
        "lesson_progress.csv",
        "quiz_attempts.csv",
        "completion_records.csv",
        "cohort_memberships.csv",
        "sessions.csv",
        "audit_events.csv",
        "xapi_statements.json",
    ] {
        assert!(
            files.contains_key(name),
            "{name} missing: {:?}",
            files.keys()
        );
    }
    let data: serde_json::Value = serde_json::from_str(&files["data.json"]).expect("json");
    assert_eq!(data["profile"]["email"], "export@example.org");
    assert_eq!(data["enrolments"][0]["module"], "beta");
    assert_eq!(data["lesson_progress"][0]["lesson"], "only");
    assert_eq!(data["quiz_attempts"][0]["answers"]["only-1"][0], 0);
    assert_eq!(data["cohort_memberships"][0]["cohort"], "Data rights");
    assert!(
        data["xapi_statements"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "learning statements are included"
    );
    let record = &data["completion_records"][0];
    let id = record["id"].as_str().expect("a record");
    let signed = &files[&format!("records/{id}.jwt")];
    let keys = records::published_keys(db).await.expect("keys");
    assert!(
        jwt::verify(signed, &keys).is_ok(),
        "the exported record verifies"
    );
    let everything = files.values().cloned().collect::<String>();
    assert!(
        !everything.contains("someone-else@example.org"),
        "nobody else's data"
    );
    assert!(
        !everything.contains(&learner.password_hash),
        "not even the password's hash"
    );

    let mut anonymous = Browser::new(app_for(db, &fixtures().join("valid")).await);
    assert_eq!(anonymous.get_bytes("/account/data.zip").await.status, 401);
}

async fn erasing_an_account_removes_personal_data_and_withdraws_records(db: &DatabaseConnection) {
    let (mut browser, learner) = busy_learner(db, "erase@example.org").await;
    let issuer = academy_tests::test_issuer(db).await;
    let record = completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(learner.id))
        .one(db)
        .await
        .expect("q")
        .expect("a record");
    let downloaded_jwt = record.jwt.clone();
    let (list_before, _) = records::status_list(db, &issuer, StatusList::Modules)
        .await
        .expect("list");

    let wrong = personal_data::erase_account(db, &learner, "not my password", None).await;
    assert!(wrong.is_err_and(|e| e.field_message("delete_password").is_some()));
    assert!(
        lesson_progress::Entity::find()
            .count(db)
            .await
            .expect("count")
            > 0,
        "a refused erasure changes nothing"
    );

    let erased = personal_data::erase_account(db, &learner, PASSWORD, None)
        .await
        .expect("erase");
    assert_eq!(erased.records_withdrawn, 1);
    assert!(erased.statements_deleted > 0 && erased.attempts_deleted > 0);

    let id = learner.id;
    assert_eq!(
        enrolment::Entity::find()
            .filter(enrolment::Column::AccountId.eq(id))
            .count(db)
            .await
            .expect("count"),
        0
    );
    for (what, left) in [
        (
            "progress",
            lesson_progress::Entity::find()
                .filter(lesson_progress::Column::AccountId.eq(id))
                .count(db)
                .await,
        ),
        (
            "attempts",
            quiz_attempt::Entity::find()
                .filter(quiz_attempt::Column::AccountId.eq(id))
                .count(db)
                .await,
        ),
        (
            "statements",
            xapi_statement::Entity::find()
                .filter(xapi_statement::Column::AccountId.eq(id))
                .count(db)
                .await,
        ),
        (
            "cohorts",
            cohort_member::Entity::find()
                .filter(cohort_member::Column::AccountId.eq(id))
                .count(db)
                .await,
        ),
        (
            "sessions",
            session::Entity::find()
                .filter(session::Column::AccountId.eq(id))
                .count(db)
                .await,
        ),
    ] {
        assert_eq!(left.expect("count"), 0, "{what} left behind");
    }
    let tombstone = account::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("q")
        .expect("the tombstone stays for the audit log");
    assert!(tombstone.erased_at.is_some());
    assert!(
        !tombstone.email.contains("erase@example.org")
            && tombstone.display_name != "Dr Busy Learner"
    );
    let audit = audit_event::Entity::find().all(db).await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.actor_id == Some(id) && e.action == "account.erased")
    );
    assert!(
        audit
            .iter()
            .all(|e| !e.detail.contains("erase@example.org")
                && !e.subject.contains("erase@example.org")),
        "audit entries keep the account id only"
    );

    // The record: withdrawn publicly, still genuine offline, the status list untouched.
    let page = records::record_view(db, &issuer, &record.id, None)
        .await
        .expect("page");
    assert!(page.verification.withdrawn_on.is_some());
    assert!(page.learner_name.is_empty() && page.module_title.is_empty());
    assert_eq!(
        records::find_record(db, &record.id).await,
        Err(AppError::Withdrawn),
        "nothing left to download"
    );
    let keys = records::published_keys(db).await.expect("keys");
    assert!(
        jwt::verify(&downloaded_jwt, &keys).is_ok(),
        "the file the learner kept still verifies against the published keys"
    );
    let (verdict, _) = records::verify_presented(db, &downloaded_jwt)
        .await
        .expect("verify");
    assert!(!verdict.valid && verdict.withdrawn_on.is_some());
    let (list_after, _) = records::status_list(db, &issuer, StatusList::Modules)
        .await
        .expect("list");
    assert_eq!(
        list_before["credentialSubject"]["encodedList"],
        list_after["credentialSubject"]["encodedList"]
    );
    let public = browser.get(&format!("/records/{}", record.id)).await;
    assert!(
        public.body.contains("withdrawn by its holder"),
        "{}",
        public.body
    );
    assert!(!public.body.contains("Dr Busy Learner"));

    // The browser was signed out, and the address no longer signs in.
    assert!(
        accounts::authenticate(
            db,
            &app::ssr::limits::Limits::default(),
            "erase@example.org",
            PASSWORD
        )
        .await
        .is_err()
    );
}

async fn deleting_an_account_from_the_account_page_signs_out(db: &DatabaseConnection) {
    let (mut browser, _) = busy_learner(db, "page-delete@example.org").await;
    let unconfirmed = browser
        .post_form(
            "/api/delete-account",
            "/account",
            &[("delete_password", PASSWORD)],
        )
        .await;
    assert_eq!(unconfirmed.location.as_deref(), Some("/account"));
    assert!(
        accounts::find_by_email(db, "page-delete@example.org")
            .await
            .expect("q")
            .is_some()
    );
    let deleted = browser
        .post_form(
            "/api/delete-account",
            "/account",
            &[("delete_password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.location.as_deref(), Some("/account-deleted"));
    assert!(!browser.signed_in());
    assert!(
        accounts::find_by_email(db, "page-delete@example.org")
            .await
            .expect("q")
            .is_none()
    );
}

async fn a_course_lead_hands_over_before_deleting(db: &DatabaseConnection) {
    let lead = academy_tests::account(db, "lead@example.org", Role::CourseLead).await;
    let refused = personal_data::erase_account(db, &lead, PASSWORD, None).await;
    assert!(matches!(refused, Err(AppError::Conflict(m)) if m.contains("new owner")));
}

async fn a_learner_leaves_a_cohort_and_keeps_their_progress(db: &DatabaseConnection) {
    let (_, learner) = busy_learner(db, "leaver@example.org").await;
    let mine = cohorts::for_learner(db, learner.id).await.expect("cohorts");
    assert_eq!(mine.len(), 1);
    let other = academy_tests::learner(db, "not-a-member@example.org").await;
    let stranger = account::Entity::find_by_id(other)
        .one(db)
        .await
        .expect("q")
        .expect("a");
    assert!(matches!(
        cohorts::leave(db, &stranger, mine[0].id).await,
        Err(AppError::NotFound(_))
    ));
    cohorts::leave(db, &learner, mine[0].id)
        .await
        .expect("leave");
    assert!(
        cohorts::for_learner(db, learner.id)
            .await
            .expect("cohorts")
            .is_empty()
    );
    assert!(
        lesson_progress::Entity::find()
            .filter(lesson_progress::Column::AccountId.eq(learner.id))
            .count(db)
            .await
            .expect("count")
            > 0,
        "progress stays the learner's"
    );
}

async fn the_retention_limit_removes_old_statements_and_attempts_only(db: &DatabaseConnection) {
    let (_, learner) = busy_learner(db, "retained@example.org").await;
    let statements = xapi_statement::Entity::find()
        .count(db)
        .await
        .expect("count");
    assert!(statements >= 2);
    // Age everything but keep one fresh statement.
    let keep = xapi_statement::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("a statement");
    xapi_statement::Entity::update_many()
        .col_expr(
            xapi_statement::Column::Timestamp,
            Expr::value(Utc::now() - Duration::days(400)),
        )
        .filter(xapi_statement::Column::Id.ne(keep.id.clone()))
        .exec(db)
        .await
        .expect("age statements");
    quiz_attempt::Entity::update_many()
        .col_expr(
            quiz_attempt::Column::SubmittedAt,
            Expr::value(Utc::now() - Duration::days(400)),
        )
        .exec(db)
        .await
        .expect("age attempts");
    let report = personal_data::apply_retention(db, 365)
        .await
        .expect("retention");
    assert_eq!(report.statements_deleted, statements - 1);
    assert!(report.attempts_deleted >= 1);
    assert_eq!(
        xapi_statement::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1
    );
    assert_eq!(
        personal_data::apply_retention(db, 365)
            .await
            .expect("again"),
        personal_data::RetentionReport::default()
    );
    assert_eq!(
        completion_record::Entity::find()
            .filter(completion_record::Column::AccountId.eq(learner.id))
            .count(db)
            .await
            .expect("count"),
        1,
        "records are kept"
    );
}

async fn personal_downloads_are_never_cached(db: &DatabaseConnection) {
    let (mut browser, _) = busy_learner(db, "cache@example.org").await;
    for path in ["/portfolio.json", "/portfolio.csv", "/account/data.zip"] {
        let download = browser.get_bytes(path).await;
        assert_eq!(download.status, 200, "{path}");
        assert_eq!(
            download.cache_control.as_deref(),
            Some("private, no-store"),
            "{path} may be kept by a shared PC's browser cache"
        );
    }
    let mut lead = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let sign_in = lead
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[("email", "lead-cache@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(sign_in.location.as_deref(), Some("/dashboard"));
    let cohort = cohort::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("cohort");
    let table = lead
        .get_bytes(&format!("/cohorts/{}/progress.csv", cohort.id))
        .await;
    assert_eq!(table.status, 200);
    assert_eq!(table.cache_control.as_deref(), Some("private, no-store"));
    app::ssr::services::accounts::grant_role(db, None, "lead-cache@example.org", Role::Admin)
        .await
        .expect("admin");
    let export = lead.get_bytes("/xapi/statements").await;
    assert_eq!(export.status, 200);
    assert_eq!(export.cache_control.as_deref(), Some("private, no-store"));
}

on_both_databases!(
    personal_downloads_are_never_cached,
    a_learner_downloads_everything_held_about_them,
    erasing_an_account_removes_personal_data_and_withdraws_records,
    deleting_an_account_from_the_account_page_signs_out,
    a_course_lead_hands_over_before_deleting,
    a_learner_leaves_a_cohort_and_keeps_their_progress,
    the_retention_limit_removes_old_statements_and_attempts_only,
);
