//! Learning events become xAPI 1.0.3 statements exactly once, and admins can export them by date.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{fixtures, on_both_databases};
use app::api::accounts::Role;
use app::ssr::entities::{account, xapi_statement};
use app::ssr::services::xapi::{self, ActorIdentity, LearningEvent, XapiSettings};
use sea_orm::{DatabaseConnection, EntityTrait};
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
        .post_form(
            "/api/register",
            "/register",
            &[
                ("email", "xapi@example.org"),
                ("display_name", "Dr Statement"),
                ("password", "statements all the way"),
            ],
        )
        .await;
    let lesson = "/modules/beta/lessons/only";
    browser.get(lesson).await;
    browser.get(lesson).await;
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
        "viewing a lesson twice is one statement"
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
        .post_form(
            "/api/register",
            "/register",
            &[
                ("email", "exporter@example.org"),
                ("display_name", "Exporter"),
                ("password", "export me please"),
            ],
        )
        .await;
    learner.get("/modules/alpha/lessons/first").await;
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
    let lead = app::ssr::services::accounts::register(
        db,
        app::ssr::services::accounts::Registration {
            email: "mbox-lead@example.org".into(),
            display_name: "Lead".into(),
            password: "a long lead passphrase".into(),
        },
        Role::CourseLead,
    )
    .await
    .expect("lead");
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

on_both_databases!(
    each_learning_event_is_one_statement_with_a_stable_id,
    admins_export_statements_by_date_and_learners_cannot,
    the_mbox_setting_names_learners_by_email_and_cohorts_appear_in_context,
);
