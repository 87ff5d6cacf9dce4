//! Pathway records: completing a pathway's required modules issues one Open Badges 3.0 record of type
//! Certificate naming the module records it rests on, verifiable like the others; on both databases.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{Learning, account, fixtures, ob3_schema_errors, on_both_databases};
use app::api::accounts::Role;
use app::error::AppError;
use app::model::pathways::{PathwayRecordLink, PathwayRecordStanding};
use app::model::records::RecordKind;
use app::ssr::content::{Pathway, load_library};
use app::ssr::entities::{completion_record, pathway_completion};
use app::ssr::records::jwt;
use app::ssr::records::status_list::{self, StatusList};
use app::ssr::services::quizzes::Answers;
use app::ssr::services::{catalogue, learning, pathway_records, pathways, records};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use std::collections::BTreeSet;

fn starter() -> Vec<Pathway> {
    load_library(&fixtures().join("valid")).library.pathways
}

/// The learning context a server has: the fixture's frameworks and its starter pathway (alpha and gamma
/// required, beta optional).
fn with_pathways(learn: &Learning) -> learning::Context {
    learning::Context {
        pathways: starter().into(),
        ..learn.context()
    }
}

fn all_right() -> Answers {
    [
        ("final-1", &[0][..]),
        ("final-2", &[1][..]),
        ("final-3", &[0, 2][..]),
    ]
    .iter()
    .map(|(id, chosen)| {
        (
            (*id).to_owned(),
            chosen.iter().copied().collect::<BTreeSet<_>>(),
        )
    })
    .collect()
}

/// Completes the starter pathway's required modules (alpha's two lessons; gamma's lesson and assessment)
/// and, when `optional`, beta as well.
pub(crate) async fn complete_starter(
    db: &DatabaseConnection,
    context: &learning::Context,
    id: i32,
    optional: bool,
) {
    for (module, lesson) in [("alpha", "first"), ("alpha", "second"), ("gamma", "only")] {
        learning::complete_lesson(db, context.clone(), id, module, lesson)
            .await
            .expect("complete a lesson");
    }
    if optional {
        learning::complete_lesson(db, context.clone(), id, "beta", "only")
            .await
            .expect("complete beta");
    }
    let attempt =
        learning::submit_attempt(db, context.clone(), id, "gamma", "assessment", all_right())
            .await
            .expect("attempt");
    assert!(attempt.passed);
}

/// The bit at `index` in the pathway status list, read through its signed form.
async fn pathway_bit(db: &DatabaseConnection, learn: &Learning, index: usize) -> Option<bool> {
    let (body, token) = records::status_list(db, &learn.issuer, StatusList::Pathways)
        .await
        .expect("status list");
    let keys = records::published_keys(db).await.expect("keys");
    assert_eq!(jwt::verify(&token, &keys).expect("signed"), body);
    status_list::is_set(
        body["credentialSubject"]["encodedList"]
            .as_str()
            .expect("encoded"),
        index,
    )
}

async fn records_of(db: &DatabaseConnection, id: i32) -> Vec<completion_record::Model> {
    completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(id))
        .all(db)
        .await
        .expect("records")
}

async fn completing_a_pathway_issues_a_schema_valid_certificate_resting_on_its_module_records(
    db: &DatabaseConnection,
) {
    let learn = Learning::new(db).await;
    academy_tests::publish(db, &fixtures().join("valid")).await;
    let context = with_pathways(&learn);
    let holder = account(db, "pathway-record@example.org", Role::Learner).await;
    let id = holder.id;

    // Alpha alone completes no pathway.
    for lesson in ["first", "second"] {
        learning::complete_lesson(db, context.clone(), id, "alpha", lesson)
            .await
            .expect("lesson");
    }
    assert_eq!(records_of(db, id).await.len(), 1, "alpha's record only");

    complete_starter(db, &context, id, true).await;
    let held = records_of(db, id).await;
    let pathway: Vec<&completion_record::Model> =
        held.iter().filter(|r| r.pathway_slug.is_some()).collect();
    assert_eq!(pathway.len(), 1, "one pathway record: {held:#?}");
    let record = pathway[0];
    assert_eq!(
        (record.pathway_slug.as_deref(), record.module_id),
        (Some("starter"), None)
    );
    let module_record = |slug: &str| {
        let module_id = held
            .iter()
            .find(|r| r.credential.contains(&format!("/modules/{slug}/versions/")))
            .unwrap_or_else(|| panic!("a record for {slug}"));
        module_id.id.clone()
    };

    // The credential: OB 3.0 schema-valid, a Certificate, its evidence the required modules' records in
    // the pathway's order (optional beta's record is not part of it), no CPD of its own, the pathway's
    // targets as alignments, a bit in the pathway status list.
    let credential: Value = serde_json::from_str(&record.credential).expect("json");
    assert!(
        ob3_schema_errors(&credential).is_empty(),
        "{:#?}",
        ob3_schema_errors(&credential)
    );
    let achievement = &credential["credentialSubject"]["achievement"];
    assert_eq!(achievement["achievementType"], "Certificate");
    assert_eq!(achievement["name"], "Starter pathway");
    assert_eq!(achievement["id"], "http://localhost/pathways/starter");
    assert!(achievement.get("version").is_none() && achievement.get("creditsAvailable").is_none());
    assert!(
        credential["credentialSubject"]
            .get("creditsEarned")
            .is_none()
    );
    assert_eq!(achievement["alignment"][0]["targetCode"], "1.1");
    let evidence: Vec<&str> = credential["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| e["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(
        evidence,
        [
            format!("http://localhost/records/{}", module_record("alpha")),
            format!("http://localhost/records/{}", module_record("gamma")),
        ]
    );
    assert_eq!(
        credential["credentialStatus"]["statusListCredential"],
        "http://localhost/status/revocation/pathways"
    );
    let completion = pathway_completion::Entity::find()
        .filter(pathway_completion::Column::AccountId.eq(id))
        .one(db)
        .await
        .expect("q")
        .expect("the pathway's completion");
    assert_eq!(record.status_index, completion.id);

    // Verifiable like the others: the signed file checks out, and its page names the records beneath.
    let (verdict, found) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify");
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(found.as_deref(), Some(record.id.as_str()));
    let page = records::record_view(db, &learn.issuer, &record.id, None)
        .await
        .expect("page");
    assert_eq!(page.kind, RecordKind::Pathway);
    assert_eq!(
        (
            page.module_title.as_str(),
            page.module_version,
            page.cpd_hours
        ),
        ("Starter pathway", None, None)
    );
    let basis: Vec<(&str, &str)> = page
        .basis
        .iter()
        .map(|b| (b.module_title.as_str(), b.id.as_str()))
        .collect();
    assert_eq!(
        basis,
        [
            ("Alpha module", module_record("alpha").as_str()),
            ("Gamma module", module_record("gamma").as_str())
        ]
    );

    // The portfolio lists it as a pathway's record, adding no CPD hours of its own to the modules'.
    let portfolio = records::portfolio(db, &learn.frameworks, &holder)
        .await
        .expect("portfolio");
    let listed = portfolio
        .records
        .iter()
        .find(|r| r.id == record.id)
        .expect("listed");
    assert_eq!(
        (listed.kind, listed.module_title.as_str(), listed.cpd_hours),
        (RecordKind::Pathway, "Starter pathway", None)
    );
    let module_hours: f64 = portfolio.records.iter().filter_map(|r| r.cpd_hours).sum();
    assert!((portfolio.total_cpd_hours - module_hours).abs() < f64::EPSILON);

    // Looking again (as after every module completion) or asking for it issues nothing more.
    let writes = app::ssr::group_commit::Writes::Direct(db.clone());
    pathway_records::settle(&writes, &context, id, "gamma").await;
    let asked = pathway_records::claim(
        db,
        &learn.issuer,
        &learn.frameworks,
        &context.pathways,
        &holder,
        "starter",
    )
    .await
    .expect("ask");
    assert_eq!(asked, record.id);
    assert_eq!(records_of(db, id).await.len(), held.len());

    // A module record it rests on is revoked: the pathway record no longer verifies, and says why; the
    // revocation reversed, it verifies again.
    let admin = account(db, "pathway-admin@example.org", Role::Admin).await;
    let gamma = module_record("gamma");
    records::revoke(db, &admin, &gamma, "Assessment taken by someone else")
        .await
        .expect("revoke gamma's record");
    let (verdict, _) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify");
    assert!(!verdict.valid && verdict.signature_valid && !verdict.revoked);
    assert!(
        verdict.problems.iter().any(|p| p.contains("Gamma module")),
        "{verdict:?}"
    );
    let page = records::record_view(db, &learn.issuer, &record.id, None)
        .await
        .expect("page");
    assert!(page.basis[1].revoked_on.is_some() && page.basis[0].revoked_on.is_none());
    // A verifier that reads only the pathway status list learns it too.
    let index = usize::try_from(record.status_index).expect("index");
    assert_eq!(pathway_bit(db, &learn, index).await, Some(true));
    records::reinstate(db, &admin, &gamma)
        .await
        .expect("reinstate");
    let (verdict, _) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify");
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(pathway_bit(db, &learn, index).await, Some(false));

    // Revoking the pathway record: admins only (a course lead, even the owner of a module it rests on, may
    // not), and its bit is set in the pathway list, not the module list.
    let lead = account(db, "pathway-lead@example.org", Role::CourseLead).await;
    app::ssr::services::authoring::set_owner(db, &admin, "alpha", &lead.email)
        .await
        .expect("lead owns alpha");
    assert_eq!(
        records::revoke(db, &lead, &record.id, "Not theirs to revoke").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        records::revoke(db, &holder, &record.id, "Mine").await,
        Err(AppError::Forbidden)
    );
    records::revoke(db, &admin, &record.id, "Issued in error")
        .await
        .expect("an admin revokes");
    for (list, set) in [(StatusList::Pathways, true), (StatusList::Modules, false)] {
        let (body, token) = records::status_list(db, &learn.issuer, list)
            .await
            .expect("status list");
        let keys = records::published_keys(db).await.expect("keys");
        assert_eq!(jwt::verify(&token, &keys).expect("signed"), body);
        let encoded = body["credentialSubject"]["encodedList"]
            .as_str()
            .expect("encoded");
        // The module list's bit at this index belongs to a module record, which is not revoked.
        assert_eq!(status_list::is_set(encoded, index), Some(set), "{list:?}");
    }
    let (verdict, _) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify");
    assert!(!verdict.valid && verdict.revoked);
}

async fn a_learner_asks_for_the_record_of_a_pathway_completed_before_it_listed_the_modules(
    db: &DatabaseConnection,
) {
    let learn = Learning::new(db).await;
    academy_tests::publish(db, &fixtures().join("valid")).await;
    let all = starter();
    let holder = account(db, "earlier@example.org", Role::Learner).await;
    let id = holder.id;
    // Completed while the server had no pathways: module records only.
    complete_starter(db, &learn.context(), id, false).await;
    assert_eq!(records_of(db, id).await.len(), 2);
    let detail = pathways::detail(db, &all, &[], "starter", Some(id))
        .await
        .expect("detail");
    assert_eq!(
        detail.record,
        PathwayRecordStanding::Ready,
        "offered on the page"
    );

    let claimed = pathway_records::claim(
        db,
        &learn.issuer,
        &learn.frameworks,
        &all,
        &holder,
        "starter",
    )
    .await
    .expect("claim");
    let again = pathway_records::claim(
        db,
        &learn.issuer,
        &learn.frameworks,
        &all,
        &holder,
        " starter ",
    )
    .await
    .expect("claim again");
    assert_eq!(claimed, again, "one record per learner and pathway");
    let detail = pathways::detail(db, &all, &[], "starter", Some(id))
        .await
        .expect("detail");
    assert_eq!(
        detail.record,
        PathwayRecordStanding::Issued(PathwayRecordLink {
            id: claimed.clone(),
            revoked: false
        })
    );
    let (verdict, _) = records::verify_presented(
        db,
        &records::find_record(db, &claimed)
            .await
            .expect("record")
            .jwt,
    )
    .await
    .expect("verify");
    assert!(verdict.valid);

    // The learner's data download has the pathway's completion and its record with what it rests on.
    let zip = app::ssr::services::personal_data::export(db, &holder)
        .await
        .expect("export");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("data.json").expect("data.json"),
        &mut text,
    )
    .expect("text");
    let data: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(data["pathway_completions"][0]["pathway"], "starter");
    let exported = data["completion_records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["id"] == claimed.as_str())
        .expect("the pathway record");
    assert_eq!(exported["pathway"], "starter");
    assert_eq!(
        exported["rests_on_records"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(archive.by_name("pathway_completions.csv").is_ok());

    // Someone who has not completed it is told which modules still need a record; nothing is issued.
    let other_account = account(db, "halfway@example.org", Role::Learner).await;
    let other = other_account.id;
    for lesson in ["first", "second"] {
        learning::complete_lesson(db, learn.context(), other, "alpha", lesson)
            .await
            .expect("lesson");
    }
    match pathway_records::claim(
        db,
        &learn.issuer,
        &learn.frameworks,
        &all,
        &other_account,
        "starter",
    )
    .await
    {
        Err(AppError::Conflict(message)) => {
            assert!(
                message.contains("Gamma module") && !message.contains("Alpha module"),
                "{message}"
            );
        }
        other => panic!("expected a refusal naming gamma, got {other:?}"),
    }
    assert_eq!(
        pathway_completion::Entity::find()
            .filter(pathway_completion::Column::AccountId.eq(other))
            .count(db)
            .await
            .expect("count"),
        0
    );
    // The other learner's page shows them no record (the first learner's is theirs alone).
    let detail = pathways::detail(db, &all, &[], "starter", Some(other))
        .await
        .expect("detail");
    assert_eq!(detail.record, PathwayRecordStanding::NotYet);
    assert_eq!(
        pathway_records::claim(
            db,
            &learn.issuer,
            &learn.frameworks,
            &all,
            &holder,
            "no-such"
        )
        .await,
        Err(AppError::NotFound("The pathway “no-such”".to_owned()))
    );

    // A module record revoked: the pathway cannot rest on it (for someone who has not yet claimed).
    let late_account = account(db, "late@example.org", Role::Learner).await;
    let late = late_account.id;
    complete_starter(db, &learn.context(), late, false).await;
    let admin = account(db, "claim-admin@example.org", Role::Admin).await;
    let gamma = catalogue::find_module(db, "gamma").await.expect("gamma");
    let gamma_record = completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(late))
        .filter(completion_record::Column::ModuleId.eq(gamma.id))
        .one(db)
        .await
        .expect("q")
        .expect("gamma's record");
    records::revoke(db, &admin, &gamma_record.id, "Wrong learner")
        .await
        .expect("revoke");
    assert!(matches!(
        pathway_records::claim(db, &learn.issuer, &learn.frameworks, &all, &late_account, "starter").await,
        Err(AppError::Conflict(message)) if message.contains("Gamma module")
    ));
    // Its page says so, rather than offering a form that cannot work.
    let detail = pathways::detail(db, &all, &[], "starter", Some(late))
        .await
        .expect("detail");
    assert_eq!(
        detail.record,
        PathwayRecordStanding::Blocked {
            modules: vec!["Gamma module".to_owned()]
        }
    );
}

/// Erasing the account withdraws the pathway record with the module records and forgets the completion.
async fn erasure_withdraws_a_pathway_record(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    academy_tests::publish(db, &fixtures().join("valid")).await;
    let holder = account(db, "erased-pathway@example.org", Role::Learner).await;
    complete_starter(db, &with_pathways(&learn), holder.id, false).await;
    let record = records_of(db, holder.id)
        .await
        .into_iter()
        .find(|r| r.pathway_slug.is_some())
        .expect("the pathway record");
    app::ssr::services::personal_data::erase_account(
        db,
        &holder,
        "a long enough passphrase",
        Some(chrono::Utc::now()),
    )
    .await
    .expect("erase");
    let page = records::record_view(db, &learn.issuer, &record.id, None)
        .await
        .expect("page");
    assert!(page.verification.withdrawn_on.is_some() && page.basis.is_empty());
    assert!(page.module_title.is_empty() && page.learner_name.is_empty());
    let (verdict, _) = records::verify_presented(db, &record.jwt)
        .await
        .expect("verify");
    assert!(!verdict.valid);
    assert_eq!(
        pathway_completion::Entity::find()
            .filter(pathway_completion::Column::AccountId.eq(holder.id))
            .count(db)
            .await
            .expect("count"),
        0
    );
}

/// Alpha's last lesson and gamma's assessment at the same moment (two servers' transactions on PostgreSQL
/// each see only their own module record): the pathway record is still issued, once.
async fn two_modules_completed_at_once_still_issue_the_pathway_record(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    academy_tests::publish(db, &fixtures().join("valid")).await;
    let context = with_pathways(&learn);
    for n in 0..4 {
        let id = account(db, &format!("at-once-{n}@example.org"), Role::Learner)
            .await
            .id;
        for (module, lesson) in [("alpha", "first"), ("gamma", "only")] {
            learning::complete_lesson(db, context.clone(), id, module, lesson)
                .await
                .expect("lesson");
        }
        let (lesson, attempt) = tokio::join!(
            learning::complete_lesson(db, context.clone(), id, "alpha", "second"),
            learning::submit_attempt(db, context.clone(), id, "gamma", "assessment", all_right()),
        );
        lesson.expect("alpha's last lesson");
        assert!(attempt.expect("gamma's assessment").passed);
        let pathway: Vec<_> = records_of(db, id)
            .await
            .into_iter()
            .filter(|r| r.pathway_slug.is_some())
            .collect();
        assert_eq!(pathway.len(), 1, "learner {n}: {pathway:#?}");
    }
}

on_both_databases!(
    completing_a_pathway_issues_a_schema_valid_certificate_resting_on_its_module_records,
    a_learner_asks_for_the_record_of_a_pathway_completed_before_it_listed_the_modules,
    erasure_withdraws_a_pathway_record,
    two_modules_completed_at_once_still_issue_the_pathway_record,
);

/// With JavaScript off: a learner who completed the pathway's modules before it listed them asks for its
/// record from the pathway's page, lands on the record (naming the module records beneath it), and the
/// pathway's page then links it. The pathway status list is published.
#[tokio::test]
async fn a_pathway_record_is_asked_for_and_shown_without_javascript() {
    let db = academy_tests::TestDb::sqlite().await;
    let conn = &db.conn;
    let mut browser = Browser::new(app_for(conn, &fixtures().join("valid")).await);
    browser
        .register_verified(
            conn,
            "claimer@example.org",
            "Dr Claire Mer",
            "a long enough passphrase",
        )
        .await;
    let learner = app::ssr::services::accounts::find_by_email(conn, "claimer@example.org")
        .await
        .expect("query")
        .expect("the learner");
    let learn = Learning::new(conn).await;
    complete_starter(conn, &learn.context(), learner.id, false).await;

    let page = browser.get("/pathways/starter").await;
    assert!(
        page.body
            .contains("You have completed every required module")
            && page.body.contains("Get my pathway record"),
        "{}",
        page.body
    );
    let claimed = browser
        .post_form(
            "/api/claim-pathway-record",
            "/pathways/starter",
            &[("pathway", "starter")],
        )
        .await;
    let location = claimed.location.expect("lands on the record");
    assert!(location.starts_with("/records/"), "{location}");
    let record = browser.get(&location).await;
    assert_eq!(record.status, http::StatusCode::OK);
    for shown in [
        "Pathway record",
        "Valid record",
        "Dr Claire Mer",
        "completed the pathway",
        "Starter pathway",
        "The module records it rests on",
        "Alpha module (version 1)",
        "Gamma module (version 1)",
    ] {
        assert!(record.body.contains(shown), "{shown} in {}", record.body);
    }
    assert!(
        !record.body.contains("CPD"),
        "a pathway record states no CPD of its own"
    );

    let page = browser.get("/pathways/starter").await;
    assert!(
        page.body.contains("Your pathway record")
            && page.body.contains(&format!("href=\"{location}\""))
            && !page.body.contains("Get my pathway record"),
        "{}",
        page.body
    );
    let list = browser.get_bytes("/status/revocation/pathways").await;
    assert_eq!(list.status, http::StatusCode::OK);
    assert_eq!(
        list.bytes.iter().filter(|b| **b == b'.').count(),
        2,
        "a JWT"
    );
    db.finish().await;
}
