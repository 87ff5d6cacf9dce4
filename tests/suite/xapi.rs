//! Learning events become xAPI 1.0.3 statements exactly once, and admins can export them by date.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{fixtures, on_both_databases};
use app::api::accounts::Role;
use app::ssr::entities::{account, xapi_statement};
use app::ssr::services::xapi::{self, ActorIdentity, LearningEvent, XapiSettings};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::Value;

async fn statements(db: &DatabaseConnection) -> Vec<Value> {
    xapi_statement::Entity::find()
        .all(db)
        .await
        .expect("statements")
        .into_iter()
        .map(|s| serde_json::from_str(&s.statement).expect("json"))
        .collect()
}

fn count(all: &[Value], verb: &str) -> usize {
    all.iter()
        .filter(|s| s["verb"]["id"].as_str().is_some_and(|v| v.ends_with(verb)))
        .count()
}

async fn each_learning_event_is_one_statement_with_a_stable_id(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(
            db,
            "xapi@example.org",
            "Dr Statement",
            "statements all the way",
        )
        .await;
    let lesson = "/modules/beta/lessons/only";
    browser.get(lesson).await;
    assert!(
        statements(db).await.is_empty(),
        "rendering a lesson writes nothing"
    );
    // The page's pixel records the lesson opened; a second visit is no new statement.
    for _ in 0..2 {
        browser.open_lesson("beta", "only").await;
    }
    for _ in 0..2 {
        browser
            .post_form(
                "/api/complete-lesson",
                lesson,
                &[("module", "beta"), ("lesson", "only")],
            )
            .await;
    }
    browser
        .post_form(
            "/api/submit-quiz",
            "/modules/gamma/assessment",
            &[
                ("module", "gamma"),
                ("scope", "assessment"),
                ("answers[final-1][choice]", "0"),
                ("answers[final-2][choice]", "0"),
            ],
        )
        .await;

    let all = statements(db).await;
    assert_eq!(
        count(&all, "/experienced"),
        1,
        "opening a lesson twice is one statement"
    );
    assert_eq!(
        count(&all, "/completed"),
        2,
        "the lesson once, the module once"
    );
    assert_eq!(count(&all, "/earned"), 1, "the record");
    assert_eq!(
        count(&all, "/answered"),
        3,
        "every question of the attempt, answered or not"
    );
    assert_eq!(count(&all, "/failed"), 1);

    let experienced = all
        .iter()
        .find(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced")
        .expect("experienced");
    assert_eq!(experienced["version"], "1.0.3");
    assert_eq!(
        experienced["actor"]["account"]["homePage"],
        "http://localhost"
    );
    assert!(
        experienced["actor"].get("mbox").is_none(),
        "no email address leaves in account mode"
    );
    assert_eq!(
        experienced["object"]["id"],
        "http://localhost/modules/beta/lessons/only"
    );
    assert_eq!(
        experienced["object"]["definition"]["type"],
        "http://adlnet.gov/expapi/activities/lesson"
    );
    assert_eq!(
        experienced["context"]["contextActivities"]["parent"][0]["id"],
        "http://localhost/modules/beta"
    );
    assert_eq!(
        experienced["context"]["extensions"]["http://localhost/xapi/extensions/module-version"],
        1
    );
    assert!(uuid::Uuid::parse_str(experienced["id"].as_str().expect("id")).is_ok());
    let failed = all
        .iter()
        .find(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed")
        .expect("failed");
    assert_eq!(failed["result"]["score"]["raw"], 33);
    assert_eq!(failed["result"]["success"], false);
}

async fn admins_export_statements_by_date_and_learners_cannot(db: &DatabaseConnection) {
    let mut learner = Browser::new(app_for(db, &fixtures().join("valid")).await);
    learner
        .register_verified(db, "exporter@example.org", "Exporter", "export me please")
        .await;
    learner.open_lesson("alpha", "first").await;
    assert_eq!(learner.get("/xapi/statements").await.status, 403);

    app::ssr::services::accounts::grant_role(db, None, "exporter@example.org", Role::Admin)
        .await
        .expect("grant");
    let everything = learner.get("/xapi/statements").await;
    assert_eq!(everything.status, 200, "{}", everything.body);
    let body: Value = serde_json::from_str(&everything.body).expect("json");
    assert_eq!(body["statements"].as_array().map(Vec::len), Some(1));
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().expect("tomorrow");
    let ranged = learner
        .get(&format!("/xapi/statements?since={today}&until={tomorrow}"))
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&ranged.body).expect("json")["statements"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let future = learner
        .get(&format!("/xapi/statements?since={tomorrow}"))
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&future.body).expect("json")["statements"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(
        learner.get("/xapi/statements?since=yesterday").await.status,
        422
    );
}

async fn the_mbox_setting_names_learners_by_email_and_cohorts_appear_in_context(
    db: &DatabaseConnection,
) {
    academy_tests::publish(db, &fixtures().join("valid")).await;
    let learner_id = academy_tests::learner(db, "mbox@example.org").await;
    let learner = account::Entity::find_by_id(learner_id)
        .one(db)
        .await
        .expect("q")
        .expect("learner");
    let lead = academy_tests::account(db, "mbox-lead@example.org", Role::CourseLead).await;
    let cohort_id = app::ssr::services::cohorts::create(
        db,
        &lead,
        "Context cohort",
        vec!["alpha".into()],
        &Default::default(),
    )
    .await
    .expect("cohort");
    let code = app::ssr::services::cohorts::list_for_lead(db, &lead)
        .await
        .expect("list")[0]
        .join_code
        .clone();
    app::ssr::services::cohorts::join(db, &learner, &code)
        .await
        .expect("join");
    let settings = XapiSettings {
        base_url: "https://academy.example".into(),
        actor: ActorIdentity::Mbox,
        forward: false,
        statement_namespace: academy_tests::TEST_SITE,
    };
    let alpha = app::ssr::services::catalogue::find_module(db, "alpha")
        .await
        .expect("alpha");
    xapi::record(
        db,
        &settings,
        &learner,
        &alpha,
        LearningEvent::LessonCompleted {
            slug: "first",
            title: "First lesson",
        },
    )
    .await
    .expect("record");
    let all = statements(db).await;
    assert_eq!(all[0]["actor"]["mbox"], "mailto:mbox@example.org");
    assert_eq!(
        all[0]["context"]["contextActivities"]["grouping"][0]["id"],
        format!("https://academy.example/cohorts/{cohort_id}")
    );
}

/// A small learning record store on loopback: accepts statement batches when up, answers 503 when down.
async fn receiver() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    receiver_holding(Refusals::default()).await
}

/// Statement ids the store already holds a different statement under: a batch holding one is refused with
/// 409 Conflict, as an LRS does (xAPI 1.0.3, "Statement Immutability").
type Refusals = std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>;

/// [`receiver`], refusing the ids in `refusals` (which the test may change while it runs).
async fn receiver_holding(
    refusals: Refusals,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use axum::http::{HeaderMap, StatusCode};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let up = Arc::new(AtomicBool::new(false));
    let (r, u) = (received.clone(), up.clone());
    let app = axum::Router::new().route(
        "/xapi/statements",
        axum::routing::post(
            move |headers: HeaderMap, axum::Json(batch): axum::Json<Vec<Value>>| {
                let (r, u, refusals) = (r.clone(), u.clone(), refusals.clone());
                async move {
                    if !u.load(Ordering::SeqCst) {
                        return (
                            StatusCode::SERVICE_UNAVAILABLE,
                            "down for maintenance".to_owned(),
                        );
                    }
                    if headers
                        .get("x-experience-api-version")
                        .and_then(|v| v.to_str().ok())
                        != Some("1.0.3")
                        || headers.get("authorization").is_none()
                    {
                        return (
                            StatusCode::BAD_REQUEST,
                            "missing xAPI version or credentials".to_owned(),
                        );
                    }
                    let ids: Vec<Value> = batch.iter().map(|s| s["id"].clone()).collect();
                    let held = refusals.lock().expect("lock").clone();
                    if let Some(clash) = ids
                        .iter()
                        .filter_map(Value::as_str)
                        .find(|id| held.contains(*id))
                    {
                        return (
                            StatusCode::CONFLICT,
                            format!("differing statements already exist with the same ID {clash}"),
                        );
                    }
                    r.lock().expect("lock").extend(batch);
                    (
                        StatusCode::OK,
                        serde_json::to_string(&ids).unwrap_or_default(),
                    )
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, received, up)
}

/// Makes every waiting statement due now, as if its back-off (or `by` more) had passed.
async fn age_the_queue(db: &DatabaseConnection, by: chrono::Duration) {
    use app::ssr::entities::xapi_outbox;
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    xapi_outbox::Entity::update_many()
        .col_expr(
            xapi_outbox::Column::NextAttemptAt,
            Expr::value(chrono::Utc::now() - by),
        )
        .filter(xapi_outbox::Column::SentAt.is_null())
        .exec(db)
        .await
        .expect("age the queue");
}

/// The LRS at `endpoint`, with the test credentials, ten statements a request and `timeout_seconds`.
fn lrs_at(endpoint: &str, timeout_seconds: u64) -> app::ssr::services::lrs::LrsConfig {
    app::ssr::services::lrs::LrsConfig {
        endpoint: endpoint.to_owned(),
        username: "academy".into(),
        password: "secret".into(),
        batch: 10,
        timeout: std::time::Duration::from_secs(timeout_seconds),
    }
}

/// The valid fixtures published, a verified learner and the alpha module.
async fn learner_and_alpha(
    db: &DatabaseConnection,
    email: &str,
) -> (account::Model, app::ssr::entities::module::Model) {
    academy_tests::publish(db, &fixtures().join("valid")).await;
    let learner = academy_tests::account(db, email, Role::Learner).await;
    let alpha = app::ssr::services::catalogue::find_module(db, "alpha")
        .await
        .expect("alpha");
    (learner, alpha)
}

/// A learner who completed alpha's two lessons, with both statements queued for an LRS.
async fn two_queued_statements(
    db: &DatabaseConnection,
    email: &str,
) -> (
    account::Model,
    app::ssr::entities::module::Model,
    XapiSettings,
) {
    let (learner, alpha) = learner_and_alpha(db, email).await;
    let settings = XapiSettings {
        base_url: "http://localhost".into(),
        actor: ActorIdentity::Account,
        forward: true,
        statement_namespace: academy_tests::TEST_SITE,
    };
    for (slug, title) in [("first", "First lesson"), ("second", "Second lesson")] {
        let event = LearningEvent::LessonCompleted { slug, title };
        xapi::record(db, &settings, &learner, &alpha, event)
            .await
            .expect("record");
    }
    (learner, alpha, settings)
}

async fn forwarding_survives_an_outage_and_delivers_each_statement_once(db: &DatabaseConnection) {
    use app::ssr::entities::xapi_outbox;
    use app::ssr::services::lrs::{LrsConfig, forward_due, status};
    use sea_orm::sea_query::Expr;
    use std::sync::atomic::Ordering;

    let (learner, alpha, settings) = two_queued_statements(db, "lrs@example.org").await;
    let admin = academy_tests::account(db, "outbox-admin@example.org", Role::Admin).await;
    // Recording the same event again queues nothing new.
    xapi::record(
        db,
        &settings,
        &learner,
        &alpha,
        LearningEvent::LessonCompleted {
            slug: "first",
            title: "First lesson",
        },
    )
    .await
    .expect("repeat");
    assert_eq!(
        xapi_outbox::Entity::find().count(db).await.expect("count"),
        2
    );

    let (addr, received, up) = receiver().await;
    let lrs = lrs_at(&format!("http://{addr}/xapi/"), 20);
    let client = reqwest::Client::new();

    // Outage: both fail, the error is kept, and they back off.
    let report = forward_due(db, &client, &lrs).await.expect("round");
    assert_eq!((report.sent, report.failed), (0, 2));
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("503") && e.contains("down for maintenance")),
        "{report:?}"
    );
    let backlog = status(db, &admin).await.expect("status");
    assert_eq!((backlog.pending, backlog.sent), (2, 0));
    assert!(backlog.last_error.is_some_and(|e| e.contains("503")));
    assert_eq!(
        forward_due(db, &client, &lrs).await.expect("round").failed,
        0,
        "backing off: nothing is due yet"
    );

    // The back-off elapses (a restart in between changes nothing: the queue is in the database).
    age_the_queue(db, chrono::Duration::seconds(1)).await;
    up.store(true, Ordering::SeqCst);
    let restarted_client = reqwest::Client::new();
    let report = forward_due(db, &restarted_client, &lrs)
        .await
        .expect("round");
    assert_eq!((report.sent, report.failed), (2, 0));
    assert_eq!(
        forward_due(db, &restarted_client, &lrs)
            .await
            .expect("round")
            .sent,
        0,
        "nothing is sent twice"
    );
    let backlog = status(db, &admin).await.expect("status");
    assert_eq!(
        (backlog.pending, backlog.sent, backlog.last_error),
        (0, 2, None)
    );

    let stored: Vec<String> = xapi_statement::Entity::find()
        .all(db)
        .await
        .expect("statements")
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut got: Vec<String> = received
        .lock()
        .expect("lock")
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    got.sort();
    let mut want = stored.clone();
    want.sort();
    assert_eq!(got, want, "each statement arrived once, under its own id");

    // An LRS that cannot be reached at all is reported as such.
    let _ = xapi_outbox::Entity::update_many()
        .col_expr(
            xapi_outbox::Column::SentAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(
            xapi_outbox::Column::NextAttemptAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(db)
        .await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let gone = LrsConfig {
        endpoint: format!("http://{closed}"),
        ..lrs
    };
    let report = forward_due(db, &client, &gone).await.expect("round");
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("could not be reached")),
        "{report:?}"
    );
}

async fn an_unreadable_statement_is_parked_with_an_error_naming_it_and_the_rest_are_sent(
    db: &DatabaseConnection,
) {
    use app::ssr::entities::xapi_outbox;
    use app::ssr::services::lrs::forward_due;
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    use std::sync::atomic::Ordering;

    two_queued_statements(db, "corrupt@example.org").await;
    let rows = xapi_statement::Entity::find().all(db).await.expect("rows");
    let corrupt = rows[0].id.clone();
    xapi_statement::Entity::update_many()
        .col_expr(
            xapi_statement::Column::Statement,
            Expr::value("{\"id\": tru"),
        )
        .filter(xapi_statement::Column::Id.eq(corrupt.clone()))
        .exec(db)
        .await
        .expect("corrupt one row");

    let (addr, received, up) = receiver().await;
    up.store(true, Ordering::SeqCst);
    let lrs = lrs_at(&format!("http://{addr}/xapi"), 20);
    let report = forward_due(db, &reqwest::Client::new(), &lrs)
        .await
        .expect("round");
    assert_eq!(
        (report.sent, report.failed, report.parked),
        (1, 0, 1),
        "{report:?}"
    );
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains(&corrupt)),
        "the error names the row: {report:?}"
    );
    assert_eq!(received.lock().expect("lock").len(), 1);
    let held = xapi_outbox::Entity::find_by_id(corrupt.clone())
        .one(db)
        .await
        .expect("q")
        .expect("still queued");
    assert!(held.sent_at.is_none(), "never counted as delivered");
    assert!(held.parked_at.is_some(), "not retried for ever");
    assert!(
        held.last_error.is_some_and(|e| e.contains(&corrupt)),
        "the outbox row keeps the reason"
    );
}

async fn a_statement_the_lrs_refuses_for_good_is_parked_and_the_rest_delivered(
    db: &DatabaseConnection,
) {
    use app::error::AppError;
    use app::ssr::services::lrs::{forward_due, send_parked_again, status};
    use std::sync::atomic::Ordering;

    let (learner, _, _) = two_queued_statements(db, "refused@example.org").await;
    let ids: Vec<String> = xapi_statement::Entity::find()
        .all(db)
        .await
        .expect("rows")
        .into_iter()
        .map(|s| s.id)
        .collect();
    let (clashing, fine) = (ids[0].clone(), ids[1].clone());
    let refusals = Refusals::default();
    refusals.lock().expect("lock").insert(clashing.clone());
    let (addr, received, up) = receiver_holding(refusals.clone()).await;
    up.store(true, Ordering::SeqCst);
    let lrs = lrs_at(&format!("http://{addr}/xapi"), 20);
    let client = reqwest::Client::new();
    let admin = academy_tests::account(db, "lrs-admin@example.org", Role::Admin).await;

    // The batch is refused because of one statement: the other is delivered, the one refused is parked.
    let report = forward_due(db, &client, &lrs).await.expect("round");
    assert_eq!(
        (report.sent, report.failed, report.parked),
        (1, 0, 1),
        "{report:?}"
    );
    let seen = |received: &std::sync::Mutex<Vec<Value>>| -> Vec<String> {
        received
            .lock()
            .expect("lock")
            .iter()
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(seen(&received), vec![fine.clone()]);
    let backlog = status(db, &admin).await.expect("status");
    assert_eq!(
        (backlog.pending, backlog.sent, backlog.parked),
        (0, 1, 1),
        "{backlog:?}"
    );
    assert_eq!(backlog.parked_statements.len(), 1);
    assert_eq!(backlog.parked_statements[0].statement_id, clashing);
    assert!(
        backlog.parked_statements[0].reason.contains("409")
            && backlog.parked_statements[0].reason.contains(&clashing),
        "the LRS's answer is kept as the reason: {backlog:?}"
    );

    // However long it waits, a parked statement is not tried again on its own.
    age_the_queue(db, chrono::Duration::days(2)).await;
    let report = forward_due(db, &client, &lrs).await.expect("round");
    assert_eq!((report.sent, report.failed, report.parked), (0, 0, 0));

    // Only an admin sees the parked statements or puts them back; then they go once the LRS takes them.
    assert!(matches!(
        status(db, &learner).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        send_parked_again(db, &learner).await,
        Err(AppError::Forbidden)
    ));
    refusals.lock().expect("lock").clear();
    assert_eq!(send_parked_again(db, &admin).await.expect("requeue"), 1);
    let report = forward_due(db, &client, &lrs).await.expect("round");
    assert_eq!((report.sent, report.failed, report.parked), (1, 0, 0));
    let mut got = seen(&received);
    got.sort();
    let mut want = vec![clashing, fine];
    want.sort();
    assert_eq!(got, want, "each arrived once");
    let backlog = status(db, &admin).await.expect("status");
    assert_eq!((backlog.pending, backlog.sent, backlog.parked), (0, 2, 0));
    assert_eq!(send_parked_again(db, &admin).await.expect("requeue"), 0);
}

async fn statement_ids_are_stable_on_one_site_and_differ_between_sites(db: &DatabaseConnection) {
    use app::ssr::entities::site_identity;
    use app::ssr::services::site::statement_namespace;

    // A new database makes its own namespace once; every later start (or instance) reads the same one.
    let ours = statement_namespace(db).await.expect("namespace");
    assert_ne!(ours, xapi::LEGACY_NAMESPACE, "a new site has its own");
    assert_eq!(statement_namespace(db).await.expect("again"), ours);

    let (learner, alpha) = learner_and_alpha(db, "two-sites@example.org").await;
    let site = |namespace| XapiSettings {
        base_url: "https://academy.example".into(),
        actor: ActorIdentity::Account,
        forward: false,
        statement_namespace: namespace,
    };
    let event = || LearningEvent::LessonCompleted {
        slug: "first",
        title: "First lesson",
    };
    // The same learner id completing the same lesson on another academy: a different statement id.
    let other = uuid::Uuid::new_v4();
    for namespace in [ours, ours, other] {
        xapi::record(db, &site(namespace), &learner, &alpha, event())
            .await
            .expect("record");
    }
    let ids: std::collections::BTreeSet<String> = xapi_statement::Entity::find()
        .all(db)
        .await
        .expect("rows")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "stable on one site, distinct across two: {ids:?}"
    );

    // A database that held statements before sites had namespaces keeps the old one, so an event recorded
    // again after the upgrade keeps its id.
    site_identity::Entity::delete_many()
        .exec(db)
        .await
        .expect("forget the site, as before the upgrade");
    assert_eq!(
        statement_namespace(db).await.expect("upgraded"),
        xapi::LEGACY_NAMESPACE
    );
}

async fn a_slow_lrs_is_retried_and_nothing_is_lost_or_parked(db: &DatabaseConnection) {
    use app::ssr::services::lrs::{LrsConfig, forward_due};
    use std::sync::atomic::Ordering;

    two_queued_statements(db, "slow@example.org").await;
    // An LRS that answers only after three seconds, against a one-second timeout.
    let slow = axum::Router::new().route(
        "/xapi/statements",
        axum::routing::post(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            "[]"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let slow_address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, slow).await;
    });
    let lrs = lrs_at(&format!("http://{slow_address}/xapi"), 1);
    let client = reqwest::Client::new();
    let report = forward_due(db, &client, &lrs).await.expect("round");
    assert_eq!(
        (report.sent, report.failed, report.parked),
        (0, 2, 0),
        "held for a retry, not parked: {report:?}"
    );
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("could not be reached")),
        "{report:?}"
    );

    // The LRS is quick again: after the back-off each statement arrives once.
    age_the_queue(db, chrono::Duration::seconds(1)).await;
    let (addr, received, up) = receiver().await;
    up.store(true, Ordering::SeqCst);
    let quick = LrsConfig {
        endpoint: format!("http://{addr}/xapi"),
        ..lrs
    };
    let report = forward_due(db, &client, &quick).await.expect("round");
    assert_eq!((report.sent, report.failed, report.parked), (2, 0, 0));
    assert_eq!(received.lock().expect("lock").len(), 2);
}

async fn only_admins_see_the_outbox_page(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(db, "not-admin@example.org", "Not Admin", "no admin for me")
        .await;
    assert_eq!(browser.get("/admin").await.status, 403);
    app::ssr::services::accounts::grant_role(db, None, "not-admin@example.org", Role::Admin)
        .await
        .expect("grant");
    let page = browser.get("/admin").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Waiting to be sent"));
    assert!(
        page.body.contains("Refused by the learning record store")
            && page
                .body
                .contains("None: every statement sent so far was accepted."),
        "{}",
        page.body
    );
    // The emails of this test's registration were queued and not yet delivered (no delivery task here).
    assert!(
        page.body.contains("Email") && page.body.contains("files in "),
        "{}",
        page.body
    );
}

async fn the_statement_export_comes_in_pages_that_cover_everything_once(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(db, "pages@example.org", "Dr Pages", "statements in pages")
        .await;
    for (module, lesson) in [
        ("alpha", "first"),
        ("alpha", "second"),
        ("beta", "only"),
        ("gamma", "only"),
    ] {
        browser.open_lesson(module, lesson).await;
    }
    let (all, none) = app::ssr::services::xapi::export(db, None, None, None, 1000)
        .await
        .expect("everything");
    assert!(none.is_none());
    let total = all["statements"].as_array().map_or(0, Vec::len);
    assert!(total >= 4, "{all}");
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (page, next) = app::ssr::services::xapi::export(db, None, None, after.as_deref(), 2)
            .await
            .expect("a page");
        let ids: Vec<String> = page["statements"]
            .as_array()
            .expect("statements")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect();
        assert!(ids.len() <= 2);
        seen.extend(ids);
        match next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = all["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(seen, expected, "pages cover every statement once, in order");
    let bad = app::ssr::services::xapi::export(db, None, None, Some("nonsense"), 2).await;
    assert!(bad.is_err_and(|e| e.field_message("after").is_some()));
}

on_both_databases!(
    the_statement_export_comes_in_pages_that_cover_everything_once,
    each_learning_event_is_one_statement_with_a_stable_id,
    admins_export_statements_by_date_and_learners_cannot,
    the_mbox_setting_names_learners_by_email_and_cohorts_appear_in_context,
    forwarding_survives_an_outage_and_delivers_each_statement_once,
    an_unreadable_statement_is_parked_with_an_error_naming_it_and_the_rest_are_sent,
    a_statement_the_lrs_refuses_for_good_is_parked_and_the_rest_delivered,
    a_slow_lrs_is_retried_and_nothing_is_lost_or_parked,
    statement_ids_are_stable_on_one_site_and_differ_between_sites,
    only_admins_see_the_outbox_page,
);
