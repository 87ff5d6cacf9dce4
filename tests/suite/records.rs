//! Quizzes, completion rules and completion records, on both databases.

use academy_tests::{
    Learning, copy_fixture, events, fixtures, learner, ob3_schema_errors, on_both_databases,
    publish, test_issuer,
};
use app::api::accounts::Role;
use app::error::AppError;
use app::ssr::content::load_library;
use app::ssr::entities::{account, completion_record, module_completion};
use app::ssr::records::status_list::StatusList;
use app::ssr::records::{jwt, status_list};
use app::ssr::services::quizzes::{self, Answers};
use app::ssr::services::{catalogue, completion, learning, records};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait,
};
use serde_json::Value;
use std::collections::BTreeSet;

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

fn frameworks() -> Vec<app::ssr::content::Framework> {
    load_library(&fixtures().join("valid")).library.frameworks
}

const ALL_RIGHT: &[(&str, &[usize])] =
    &[("final-1", &[0]), ("final-2", &[1]), ("final-3", &[0, 2])];
const ALL_WRONG: &[(&str, &[usize])] = &[("final-1", &[1]), ("final-2", &[0]), ("final-3", &[1])];

async fn completing_the_last_lesson_issues_one_schema_valid_record(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let id = learner(db, "record@example.org").await;
    learning::complete_lesson(db, events(&issuer, &frameworks()), id, "beta", "only")
        .await
        .expect("complete");
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    let record_id = completion::complete_if_due(db, &issuer, &frameworks(), &[], id, &beta)
        .await
        .expect("complete module")
        .expect("a record is issued");

    let record = records::find_record(db, &record_id).await.expect("stored");
    let credential: Value = serde_json::from_str(&record.credential).expect("json");
    let errors = ob3_schema_errors(&credential);
    assert!(
        errors.is_empty(),
        "credential violates the OB 3.0 schema: {errors:#?}"
    );
    let keys = records::published_keys(db).await.expect("keys");
    let payload = jwt::verify(&record.jwt, &keys).expect("the VC-JWT verifies");
    assert_eq!(payload, credential, "the JWT payload is the credential");
    assert!(ob3_schema_errors(&payload).is_empty());

    let achievement = &credential["credentialSubject"]["achievement"];
    assert_eq!(
        achievement["version"], "1",
        "names the version it was earned on"
    );
    assert_eq!(achievement["achievementType"], "Course");
    assert_eq!(achievement["creditsAvailable"], 1.0);
    assert_eq!(achievement["alignment"][0]["targetCode"], "1.1");
    assert_eq!(
        achievement["alignment"][0]["targetFramework"],
        "Demo competency framework"
    );
    assert_eq!(
        credential["credentialStatus"]["type"],
        "BitstringStatusListEntry"
    );

    // Completing again changes nothing: still one record.
    let again = completion::complete_if_due(db, &issuer, &frameworks(), &[], id, &beta)
        .await
        .expect("again");
    assert_eq!(again.as_deref(), Some(record_id.as_str()));
    assert_eq!(
        completion_record::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1
    );
}

async fn racing_completions_issue_exactly_one_record(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let id = learner(db, "race-record@example.org").await;
    let fw = frameworks();
    // Two tabs mark the module's only lesson complete at the same moment.
    let results = futures_join(
        learning::complete_lesson(db, events(&issuer, &fw), id, "beta", "only"),
        learning::complete_lesson(db, events(&issuer, &fw), id, "beta", "only"),
    )
    .await;
    let (a, b) = (results.0.expect("first"), results.1.expect("second"));
    assert_eq!(a, b, "both requests report the same progress");
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    let results = futures_join(
        completion::complete_if_due(db, &issuer, &fw, &[], id, &beta),
        completion::complete_if_due(db, &issuer, &fw, &[], id, &beta),
    )
    .await;
    let (a, b) = (results.0.expect("first"), results.1.expect("second"));
    assert_eq!(a, b, "both requests report the same record");
    assert_eq!(
        module_completion::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1
    );
    assert_eq!(
        completion_record::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1
    );
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

async fn completed_and_passed_needs_both_and_the_record_carries_the_score(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let fw = frameworks();
    let id = learner(db, "gamma@example.org").await;
    let gamma = catalogue::find_module(db, "gamma").await.expect("gamma");

    learning::complete_lesson(db, events(&issuer, &fw), id, "gamma", "only")
        .await
        .expect("lesson");
    assert_eq!(
        completion::complete_if_due(db, &issuer, &fw, &[], id, &gamma)
            .await
            .expect("check"),
        None,
        "lessons alone are not enough"
    );

    let attempt = learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "assessment",
        answers(&[("final-1", &[0]), ("final-2", &[1]), ("final-3", &[0])]),
    )
    .await
    .expect("attempt");
    assert_eq!(
        (attempt.correct, attempt.score, attempt.passed),
        (2, 66, true)
    );
    let record = completion_record::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("issued on passing");
    let credential: Value = serde_json::from_str(&record.credential).expect("json");
    assert!(
        ob3_schema_errors(&credential).is_empty(),
        "{:#?}",
        ob3_schema_errors(&credential)
    );
    assert_eq!(credential["credentialSubject"]["result"][0]["value"], "66");
    assert_eq!(
        credential["credentialSubject"]["achievement"]["resultDescription"][0]["requiredValue"],
        "60"
    );
    assert_eq!(
        credential["credentialSubject"]["achievement"]["alignment"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

async fn the_attempt_policy_limits_attempts_and_enforces_the_cooldown(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let fw = frameworks();
    let id = learner(db, "attempts@example.org").await;
    let failed = learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "assessment",
        answers(ALL_WRONG),
    )
    .await
    .expect("first attempt");
    assert!(!failed.passed);
    let early = learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "assessment",
        answers(ALL_RIGHT),
    )
    .await
    .expect_err("cool-down");
    assert!(
        matches!(&early, AppError::Conflict(m) if m.contains("try this assessment again from")),
        "{early:?}"
    );

    let view = quizzes::quiz_view(db, "gamma", "assessment", Some(id))
        .await
        .expect("view");
    assert!(!view.can_attempt && view.next_attempt_at.is_some());
    assert_eq!(view.attempts_used, 1);
    let json = serde_json::to_string(&view.questions).expect("json");
    assert!(
        !json.contains("GAMMA-EXPLANATION"),
        "questions carry no explanations or answers"
    );

    // Move the first attempt back past the cool-down, then use the last attempt.
    let first = app::ssr::entities::quiz_attempt::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("attempt");
    let mut older: app::ssr::entities::quiz_attempt::ActiveModel = first.clone().into();
    older.submitted_at = Set(first.submitted_at - chrono::Duration::hours(2));
    older.update(db).await.expect("age the attempt");
    learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "assessment",
        answers(ALL_WRONG),
    )
    .await
    .expect("second attempt");
    let view = quizzes::quiz_view(db, "gamma", "assessment", Some(id))
        .await
        .expect("view");
    assert_eq!((view.attempts_used, view.can_attempt), (2, false));
    let out = learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "assessment",
        answers(ALL_RIGHT),
    )
    .await
    .expect_err("out of attempts");
    assert!(
        matches!(&out, AppError::Conflict(m) if m.contains("used all your attempts")),
        "{out:?}"
    );
}

async fn lesson_checks_are_marked_with_feedback_and_unlimited(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let fw = frameworks();
    let id = learner(db, "check@example.org").await;
    let first = learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "only",
        answers(&[("only-1", &[1]), ("only-2", &[0])]),
    )
    .await
    .expect("check");
    assert_eq!(first.correct, 0);
    assert_eq!(
        first.results[0].feedback,
        ["A dry floor is not a source of harm."]
    );
    assert!(
        first.results[1]
            .explanation
            .starts_with("GAMMA-EXPLANATION-TWO")
    );
    let second = learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "only",
        answers(&[("only-1", &[0]), ("only-2", &[0, 1])]),
    )
    .await
    .expect("again");
    assert_eq!(second.correct, 2);
    let unknown = learning::submit_attempt(
        db,
        events(&issuer, &fw),
        id,
        "gamma",
        "only",
        answers(&[("nope", &[0])]),
    )
    .await
    .expect_err("unknown question");
    assert!(matches!(unknown, AppError::BadRequest(_)));
}

async fn issue_a_beta_record(
    db: &DatabaseConnection,
    email: &str,
) -> (app::ssr::records::Issuer, String) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let id = learner(db, email).await;
    learning::complete_lesson(db, events(&issuer, &frameworks()), id, "beta", "only")
        .await
        .expect("complete");
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    let record = completion::complete_if_due(db, &issuer, &frameworks(), &[], id, &beta)
        .await
        .expect("complete")
        .expect("record");
    (issuer, record)
}

async fn tampering_with_any_field_of_a_downloaded_record_fails_verification(
    db: &DatabaseConnection,
) {
    let (_, id) = issue_a_beta_record(db, "tamper@example.org").await;
    let record = records::find_record(db, &id).await.expect("record");

    let (genuine, found) = records::verify_presented(db, &record.credential)
        .await
        .expect("verify");
    assert!(genuine.valid, "{:?}", genuine.problems);
    assert_eq!(found.as_deref(), Some(id.as_str()));
    let (genuine_jwt, _) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify jwt");
    assert!(genuine_jwt.valid, "{:?}", genuine_jwt.problems);

    let original: Value = serde_json::from_str(&record.credential).expect("json");
    let mut edits: Vec<(&str, Value)> = Vec::new();
    let mut v = original.clone();
    v["credentialSubject"]["creditsEarned"] = Value::from(40.0);
    edits.push(("credits earned", v));
    let mut v = original.clone();
    v["credentialSubject"]["achievement"]["name"] = Value::from("Advanced Surgery");
    edits.push(("module name", v));
    let mut v = original.clone();
    v["validFrom"] = Value::from("2020-01-01T00:00:00Z");
    edits.push(("issue date", v));
    let mut v = original.clone();
    v["credentialSubject"]["identifier"][0]["identityHash"] = Value::from("Someone Else");
    edits.push(("learner name", v));
    for (what, edited) in edits {
        let (verdict, _) = records::verify_presented(db, &edited.to_string())
            .await
            .expect("verify");
        assert!(
            !verdict.valid && !verdict.matches_issued,
            "editing the {what} went unnoticed"
        );
        // The same edit inside the JWT breaks its signature.
        let parts: Vec<&str> = record.jwt.split('.').collect();
        let forged_payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            edited.to_string(),
        );
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        let (verdict, _) = records::verify_presented(db, &forged)
            .await
            .expect("verify forged jwt");
        assert!(
            !verdict.valid && !verdict.signature_valid,
            "a forged JWT ({what}) verified"
        );
        let keys = records::published_keys(db).await.expect("keys");
        assert_eq!(
            jwt::verify(&forged, &keys),
            Err(jwt::VerifyError::BadSignature)
        );
    }
}

async fn someone(db: &DatabaseConnection, email: &str, role: Role) -> account::Model {
    academy_tests::account(db, email, role).await
}

async fn only_an_admin_or_the_modules_owner_may_revoke_a_record(db: &DatabaseConnection) {
    let (_, id) = issue_a_beta_record(db, "holder@example.org").await;
    let holder = account::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("learner");
    let other_learner = someone(db, "other@example.org", Role::Learner).await;
    let owner = someone(db, "owner@example.org", Role::CourseLead).await;
    let other_lead = someone(db, "stranger@example.org", Role::CourseLead).await;
    let admin = someone(db, "admin@example.org", Role::Admin).await;
    app::ssr::services::authoring::set_owner(db, &admin, "beta", &owner.email)
        .await
        .expect("hand beta to its lead");

    for (who, actor) in [
        ("the learner", &holder),
        ("another learner", &other_learner),
        ("a lead with no tie to the module", &other_lead),
    ] {
        let refused = records::revoke(db, actor, &id, "Issued in error")
            .await
            .expect_err(who);
        assert_eq!(refused, AppError::Forbidden, "{who} revoked a record");
    }
    let unchanged = records::find_record(db, &id).await.expect("record");
    assert!(unchanged.revoked_at.is_none());

    // The module's owner may; then only they and admins may reverse it.
    records::revoke(db, &owner, &id, "Issued in error")
        .await
        .expect("the owning lead revokes");
    for actor in [&holder, &other_learner, &other_lead] {
        assert_eq!(
            records::reinstate(db, actor, &id).await,
            Err(AppError::Forbidden)
        );
    }
    records::reinstate(db, &admin, &id)
        .await
        .expect("an admin reverses it");
    let (verdict, _) = records::verify_presented(db, &unchanged.jwt)
        .await
        .expect("verify");
    assert!(
        verdict.valid,
        "a reinstated record is valid again: {verdict:?}"
    );
    records::revoke(db, &admin, &id, "Second thoughts")
        .await
        .expect("an admin revokes");
    // A lead demoted to learner keeps no power over the records of the module they owned.
    let demoted = app::ssr::services::accounts::grant_role(db, None, &owner.email, Role::Learner)
        .await
        .expect("demote");
    assert_eq!(
        records::reinstate(db, &demoted, &id).await,
        Err(AppError::Forbidden)
    );

    let actions: Vec<String> = app::ssr::entities::audit_event::Entity::find()
        .all(db)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.subject == format!("record:{id}"))
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["record.revoked", "record.reinstated", "record.revoked"]
    );
}

async fn a_revoked_record_fails_verification_and_is_in_the_status_list(db: &DatabaseConnection) {
    let (issuer, id) = issue_a_beta_record(db, "revoke@example.org").await;
    let admin = someone(db, "admin@example.org", Role::Admin).await;
    let no_reason = records::revoke(db, &admin, &id, "  ")
        .await
        .expect_err("a reason is required");
    assert!(no_reason.field_message("reason").is_some());
    records::revoke(db, &admin, &id, "Issued to the wrong Dr Jones")
        .await
        .expect("revoke");

    let record = records::find_record(db, &id).await.expect("record");
    let (verdict, _) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify");
    assert!(!verdict.valid && verdict.revoked && verdict.signature_valid);
    assert!(verdict.revoked_at.is_some(), "the verdict says when");
    let public = serde_json::to_string(&verdict).expect("json");
    assert!(
        !public.contains("Dr Jones"),
        "the reason is never in the public verdict: {public}"
    );

    // The public page says revoked and when; the reason only for the learner and admins.
    let anonymous = records::record_view(db, &issuer, &id, None)
        .await
        .expect("public page");
    assert!(anonymous.verification.revoked && anonymous.revoked_reason.is_none());
    let stranger = someone(db, "stranger@example.org", Role::CourseLead).await;
    let as_stranger = records::record_view(db, &issuer, &id, Some(&stranger))
        .await
        .expect("page");
    assert!(as_stranger.revoked_reason.is_none() && !as_stranger.can_reinstate);
    let holder = account::Entity::find_by_id(record.account_id)
        .one(db)
        .await
        .expect("q")
        .expect("holder");
    let as_holder = records::record_view(db, &issuer, &id, Some(&holder))
        .await
        .expect("page");
    assert_eq!(
        as_holder.revoked_reason.as_deref(),
        Some("Issued to the wrong Dr Jones")
    );
    let as_admin = records::record_view(db, &issuer, &id, Some(&admin))
        .await
        .expect("page");
    assert!(as_admin.can_reinstate && as_admin.revoked_reason.is_some());

    let (list, token) = records::status_list(db, &issuer, StatusList::Modules)
        .await
        .expect("status list");
    let keys = records::published_keys(db).await.expect("keys");
    assert_eq!(
        jwt::verify(&token, &keys).expect("the status list is signed"),
        list
    );
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encoded list");
    let index = usize::try_from(record.status_index).expect("index");
    assert_eq!(status_list::is_set(encoded, index), Some(true));
    assert_eq!(status_list::is_set(encoded, index + 1), Some(false));

    records::reinstate(db, &admin, &id)
        .await
        .expect("reinstate");
    let (list, _) = records::status_list(db, &issuer, StatusList::Modules)
        .await
        .expect("status list");
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encoded list");
    assert_eq!(
        status_list::is_set(encoded, index),
        Some(false),
        "a reinstated record leaves the status list"
    );
}

async fn records_signed_with_a_rotated_key_still_verify(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    let (_, first) = issue_a_beta_record(db, "rotate-1@example.org").await;
    // A new key (another instance, or after rotation) signs the next record.
    let newer = test_issuer(db).await;
    let id = learner(db, "rotate-2@example.org").await;
    learning::complete_lesson(db, learn.context(), id, "beta", "only")
        .await
        .expect("complete");
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    let second = completion::complete_if_due(db, &newer, &frameworks(), &[], id, &beta)
        .await
        .expect("c")
        .expect("record");
    let (a, b) = (
        records::find_record(db, &first).await.expect("a"),
        records::find_record(db, &second).await.expect("b"),
    );
    assert_ne!(a.kid, b.kid);
    for record in [a, b] {
        let (verdict, _) = records::verify_presented(db, &record.jwt)
            .await
            .expect("verify");
        assert!(verdict.valid, "{:?}", verdict.problems);
    }
}

async fn the_portfolio_shows_evidence_per_competency_and_cpd(db: &DatabaseConnection) {
    let (_, id) = issue_a_beta_record(db, "portfolio@example.org").await;
    let learner_account = account::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("learner");
    let portfolio = records::portfolio(db, &frameworks(), &learner_account)
        .await
        .expect("portfolio");
    assert_eq!(portfolio.total_cpd_hours, 1.0);
    let demo = &portfolio.frameworks[0];
    let safety = demo
        .competencies
        .iter()
        .find(|c| c.code == "1.1")
        .expect("1.1");
    assert_eq!(
        safety
            .records
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        [id.as_str()]
    );
    assert!(
        demo.competencies
            .iter()
            .find(|c| c.code == "2.1")
            .expect("2.1")
            .records
            .is_empty()
    );
    let csv = records::portfolio_csv(&portfolio).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].starts_with(
            "\"Demo competency framework\",1.1,\"Clinical safety\",\"Beta module\",1,"
        ),
        "{csv}"
    );
}

async fn a_changed_lesson_leaves_earlier_records_naming_their_version(db: &DatabaseConnection) {
    let content = copy_fixture("valid");
    publish(db, content.path()).await;
    let issuer = test_issuer(db).await;
    let id = learner(db, "versions@example.org").await;
    learning::complete_lesson(db, events(&issuer, &frameworks()), id, "beta", "only")
        .await
        .expect("complete");
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    let record_id = completion::complete_if_due(db, &issuer, &frameworks(), &[], id, &beta)
        .await
        .expect("c")
        .expect("record");
    let path = content.path().join("modules/beta/01-only.md");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}\nAn added paragraph.\n")).expect("edit");
    publish(db, content.path()).await;
    assert_eq!(
        catalogue::find_module(db, "beta")
            .await
            .expect("beta")
            .version,
        2
    );
    let record = records::find_record(db, &record_id).await.expect("record");
    assert_eq!(record.module_version, Some(1));
    let (verdict, _) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify");
    assert!(verdict.valid);
}

on_both_databases!(
    completing_the_last_lesson_issues_one_schema_valid_record,
    racing_completions_issue_exactly_one_record,
    completed_and_passed_needs_both_and_the_record_carries_the_score,
    the_attempt_policy_limits_attempts_and_enforces_the_cooldown,
    lesson_checks_are_marked_with_feedback_and_unlimited,
    tampering_with_any_field_of_a_downloaded_record_fails_verification,
    a_revoked_record_fails_verification_and_is_in_the_status_list,
    only_an_admin_or_the_modules_owner_may_revoke_a_record,
    records_signed_with_a_rotated_key_still_verify,
    the_portfolio_shows_evidence_per_competency_and_cpd,
    a_changed_lesson_leaves_earlier_records_naming_their_version,
);

async fn every_shipped_module_issues_a_schema_valid_record(db: &DatabaseConnection) {
    let library = load_library(&academy_tests::real_content()).library;
    publish(db, &academy_tests::real_content()).await;
    let issuer = test_issuer(db).await;
    assert!(!library.modules.is_empty());
    for module in &library.modules {
        let id = learner(db, &format!("{}@example.org", module.slug)).await;
        for lesson in &module.lessons {
            learning::complete_lesson(
                db,
                events(&issuer, &library.frameworks),
                id,
                &module.slug,
                &lesson.slug,
            )
            .await
            .expect("complete lesson");
        }
        if let Some(assessment) = &module.assessment {
            let attempt = learning::submit_attempt(
                db,
                events(&issuer, &library.frameworks),
                id,
                &module.slug,
                "assessment",
                quizzes::answer_key(&assessment.questions),
            )
            .await
            .expect("assessment");
            assert!(
                attempt.passed,
                "{}: the correct answers must pass",
                module.slug
            );
        }
        let found = catalogue::find_module(db, &module.slug)
            .await
            .expect("module");
        let record_id =
            completion::complete_if_due(db, &issuer, &library.frameworks, &[], id, &found)
                .await
                .expect("complete")
                .unwrap_or_else(|| panic!("{}: completing it issues a record", module.slug));
        let record = records::find_record(db, &record_id).await.expect("record");
        let credential: Value = serde_json::from_str(&record.credential).expect("json");
        let errors = ob3_schema_errors(&credential);
        assert!(errors.is_empty(), "{}: {errors:#?}", module.slug);
        let keys = records::published_keys(db).await.expect("keys");
        assert!(ob3_schema_errors(&jwt::verify(&record.jwt, &keys).expect("verifies")).is_empty());
        assert_eq!(
            credential["credentialSubject"]["achievement"]["alignment"]
                .as_array()
                .map(Vec::len),
            Some(module.alignments.len()),
            "{}: one alignment per declared competency",
            module.slug
        );
    }
}

on_both_databases!(every_shipped_module_issues_a_schema_valid_record);
