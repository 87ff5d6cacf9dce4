//! Cohorts: creating, joining, the course lead's dashboard and who may see it, on both databases.

use academy_tests::http_client::{Browser, app_for};
use academy_tests::{Learning, events, fixtures, learner, on_both_databases, publish, test_issuer};
use app::api::accounts::Role;
use app::api::cohorts::CellStatus;
use app::error::AppError;
use app::ssr::content::load_library;
use app::ssr::entities::{account, audit_event, lesson_progress};
use app::ssr::services::accounts::{Registration, Verified, create_account};
use app::ssr::services::{catalogue, cohorts, completion, learning, progress};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use std::collections::HashMap;

async fn account_with_role(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    role: Role,
) -> account::Model {
    create_account(
        db,
        Registration {
            email: email.into(),
            display_name: name.into(),
            password: "a suitably long passphrase".into(),
        },
        role,
        Verified::Yes,
    )
    .await
    .expect("register")
}

fn due(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn learner_model(db: &DatabaseConnection, id: i32) -> account::Model {
    account::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("query")
        .expect("account")
}

async fn dashboard_figures_match_a_hand_computed_cohort(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let frameworks = load_library(&fixtures().join("valid")).library.frameworks;
    let lead = account_with_role(db, "lead@example.org", "Lead", Role::CourseLead).await;
    let id = cohorts::create(
        db,
        &lead,
        "Spring cohort",
        vec!["alpha".into(), "beta".into()],
        &due(&[("alpha", "2020-01-31"), ("beta", "")]),
    )
    .await
    .expect("create");
    let code = cohorts::list_for_lead(db, &lead).await.expect("list")[0]
        .join_code
        .clone();
    assert_eq!(code.len(), 8);

    let (a, b, c) = (
        learner(db, "a@example.org").await,
        learner(db, "b@example.org").await,
        learner(db, "c@example.org").await,
    );
    for (who, typed) in [
        (a, code.to_lowercase()),
        (b, format!(" {code} ")),
        (c, code.clone()),
    ] {
        cohorts::join(db, &learner_model(db, who).await, &typed)
            .await
            .expect("join");
    }
    // a: half of alpha, all of beta (completed). b: all of alpha (completed). c: nothing.
    learning::complete_lesson(db, events(&issuer, &frameworks), a, "alpha", "first")
        .await
        .expect("a alpha");
    learning::complete_lesson(db, events(&issuer, &frameworks), a, "beta", "only")
        .await
        .expect("a beta");
    learning::complete_lesson(db, events(&issuer, &frameworks), b, "alpha", "first")
        .await
        .expect("b alpha 1");
    learning::complete_lesson(db, events(&issuer, &frameworks), b, "alpha", "second")
        .await
        .expect("b alpha 2");
    for (who, slug) in [(a, "beta"), (b, "alpha")] {
        let found = catalogue::find_module(db, slug).await.expect("module");
        completion::complete_if_due(db, &issuer, &frameworks, &[], who, &found)
            .await
            .expect("complete");
    }

    let d = cohorts::dashboard(db, &lead, id).await.expect("dashboard");
    assert_eq!(
        d.modules
            .iter()
            .map(|m| m.slug.as_str())
            .collect::<Vec<_>>(),
        ["alpha", "beta"]
    );
    assert_eq!(d.modules[0].due_on.as_deref(), Some("2020-01-31"));
    let cell = |email: &str, i: usize| {
        let row = d.rows.iter().find(|r| r.email == email).expect("row");
        let c = &row.cells[i];
        (c.status, c.lessons_completed, c.lessons_total, c.overdue)
    };
    assert_eq!(
        cell("a@example.org", 0),
        (CellStatus::InProgress, 1, 2, true)
    );
    assert_eq!(
        cell("a@example.org", 1),
        (CellStatus::Completed, 1, 1, false)
    );
    assert_eq!(
        cell("b@example.org", 0),
        (CellStatus::Completed, 2, 2, false)
    );
    assert_eq!(
        cell("b@example.org", 1),
        (CellStatus::NotStarted, 0, 1, false)
    );
    assert_eq!(
        cell("c@example.org", 0),
        (CellStatus::NotStarted, 0, 2, true)
    );
    let funnel: Vec<_> = d
        .funnel
        .iter()
        .map(|f| (f.members, f.started, f.all_lessons, f.completed))
        .collect();
    assert_eq!(funnel, [(3, 2, 1, 1), (3, 1, 1, 1)]);
    let mut overdue: Vec<_> = d
        .overdue
        .iter()
        .map(|(who, module, _)| (who.as_str(), module.as_str()))
        .collect();
    overdue.sort();
    assert_eq!(
        overdue,
        [
            ("Test Learner", "Alpha module"),
            ("Test Learner", "Alpha module")
        ]
    );

    let csv = cohorts::dashboard_csv(&d).expect("csv");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.lines()
            .next()
            .is_some_and(|h| h == "learner,email,Alpha module,Beta module"),
        "{csv}"
    );
    assert!(
        csv.contains("\"a@example.org\",\"In progress (1/2) overdue\",\"Completed (1/1)\""),
        "{csv}"
    );

    // Learners see their cohort's modules, due dates and status.
    let mine = cohorts::for_learner(db, a).await.expect("learner view");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name, "Spring cohort");
    assert_eq!(mine[0].modules[0].0.due_on.as_deref(), Some("2020-01-31"));
    assert!(mine[0].modules[0].1.overdue);
    // Joining enrolled them in the cohort's modules.
    assert_eq!(
        progress::my_learning(db, c)
            .await
            .expect("my learning")
            .len(),
        2
    );
}

async fn only_the_owner_or_an_admin_manages_a_cohort(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let lead = account_with_role(db, "owner@example.org", "Owner", Role::CourseLead).await;
    let other = account_with_role(db, "other@example.org", "Other", Role::CourseLead).await;
    let admin = account_with_role(db, "admin@example.org", "Admin", Role::Admin).await;
    let student = learner_model(db, learner(db, "student@example.org").await).await;

    let refused =
        cohorts::create(db, &student, "Mine", vec!["alpha".into()], &HashMap::new()).await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let id = cohorts::create(db, &lead, "Owned", vec!["alpha".into()], &HashMap::new())
        .await
        .expect("create");
    assert_eq!(
        cohorts::dashboard(db, &other, id).await.map(|_| ()),
        Err(AppError::Forbidden)
    );
    assert_eq!(
        cohorts::dashboard(db, &student, id).await.map(|_| ()),
        Err(AppError::Forbidden)
    );
    assert!(
        cohorts::list_for_lead(db, &other)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(cohorts::dashboard(db, &admin, id).await.is_ok());
    assert_eq!(
        cohorts::list_for_lead(db, &admin)
            .await
            .expect("admin sees all")
            .len(),
        1
    );

    let invalid = cohorts::create(
        db,
        &lead,
        " ",
        vec!["nope".into()],
        &due(&[("nope", "soon")]),
    )
    .await
    .expect_err("invalid");
    assert!(invalid.field_message("name").is_some() && invalid.field_message("modules").is_some());
    let bad_code = cohorts::join(db, &student, "ZZZZZZZZ")
        .await
        .expect_err("unknown code");
    assert!(bad_code.field_message("code").is_some());
}

async fn removing_a_learner_keeps_their_progress_and_is_audited(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let lead = account_with_role(db, "remover@example.org", "Lead", Role::CourseLead).await;
    let id = cohorts::create(db, &lead, "Audit", vec!["alpha".into()], &HashMap::new())
        .await
        .expect("create");
    let code = cohorts::list_for_lead(db, &lead).await.expect("list")[0]
        .join_code
        .clone();
    let who = learner(db, "leaver@example.org").await;
    cohorts::join(db, &learner_model(db, who).await, &code)
        .await
        .expect("join");
    learning::complete_lesson(db, learn.context(), who, "alpha", "first")
        .await
        .expect("progress");
    cohorts::remove_member(db, &lead, id, who)
        .await
        .expect("remove");
    assert!(
        cohorts::dashboard(db, &lead, id)
            .await
            .expect("dashboard")
            .rows
            .is_empty()
    );
    assert_eq!(
        lesson_progress::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1,
        "progress is the learner's"
    );
    let actions: Vec<String> = audit_event::Entity::find()
        .all(db)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["cohort.created", "cohort.member_removed"]);
    assert_eq!(
        cohorts::remove_member(db, &lead, id, who).await,
        Err(AppError::NotFound("That learner in this cohort".to_owned()))
    );
}

async fn learners_cannot_reach_cohort_pages_or_exports(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(db, "nosy@example.org", "Nosy", "let me see the cohort")
        .await;
    assert_eq!(browser.get("/cohorts").await.status, 403);
    assert_eq!(browser.get("/cohorts/1").await.status, 403);
    for table in [
        "progress.csv",
        "funnel.csv",
        "overdue.csv",
        "items.csv",
        "time-on-task.csv",
    ] {
        let page = browser.get(&format!("/cohorts/1/{table}")).await;
        assert_eq!(page.status, 403, "{table}");
    }
    assert_eq!(browser.get("/cohorts/1/secrets.csv").await.status, 404);
    let created = browser
        .post_form(
            "/api/create-cohort",
            "/cohorts",
            &[("name", "Mine"), ("modules[alpha]", "alpha")],
        )
        .await;
    assert_eq!(created.location.as_deref(), Some("/cohorts"));
    assert!(
        browser.carries_form_error(),
        "the refusal is shown on /cohorts"
    );
    let shown = browser.get("/cohorts").await;
    assert!(
        shown.body.contains("You do not have permission"),
        "{}",
        shown.body
    );
}

async fn item_analysis_uses_each_learners_first_attempt(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let frameworks = load_library(&fixtures().join("valid")).library.frameworks;
    let lead = account_with_role(db, "items@example.org", "Lead", Role::CourseLead).await;
    let id = cohorts::create(db, &lead, "Items", vec!["gamma".into()], &HashMap::new())
        .await
        .expect("create");
    let code = cohorts::list_for_lead(db, &lead).await.expect("list")[0]
        .join_code
        .clone();
    let strong = learner(db, "strong@example.org").await;
    let weak = learner(db, "weak@example.org").await;
    for who in [strong, weak] {
        cohorts::join(db, &learner_model(db, who).await, &code)
            .await
            .expect("join");
    }
    let answers = |pairs: &[(&str, &[usize])]| -> app::ssr::services::quizzes::Answers {
        pairs
            .iter()
            .map(|(q, c)| ((*q).to_owned(), c.iter().copied().collect()))
            .collect()
    };
    // strong: all right. weak: final-1 right, final-2 wrong (chose "The supplier"), final-3 wrong.
    learning::submit_attempt(
        db,
        events(&issuer, &frameworks),
        strong,
        "gamma",
        "assessment",
        answers(&[("final-1", &[0]), ("final-2", &[1]), ("final-3", &[0, 2])]),
    )
    .await
    .expect("strong");
    learning::submit_attempt(
        db,
        events(&issuer, &frameworks),
        weak,
        "gamma",
        "assessment",
        answers(&[("final-1", &[0]), ("final-2", &[0]), ("final-3", &[1])]),
    )
    .await
    .expect("weak");
    let d = cohorts::dashboard(db, &lead, id).await.expect("dashboard");
    assert_eq!(d.item_analysis.len(), 1);
    let analysis = &d.item_analysis[0];
    assert_eq!(analysis.learners, 2);
    let figures: Vec<_> = analysis
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.facility, i.discrimination))
        .collect();
    assert_eq!(
        figures,
        [
            ("final-1", Some(1.0), Some(0.0)),
            ("final-2", Some(0.5), Some(1.0)),
            ("final-3", Some(0.5), Some(1.0))
        ]
    );
    assert_eq!(
        analysis.items[1].most_chosen_wrong,
        Some(("The supplier".to_owned(), 1))
    );
}

/// Sets when a learner opened a lesson (its xAPI "experienced" statement) and when they completed it.
async fn opened_and_completed(
    db: &DatabaseConnection,
    who: i32,
    lesson: &str,
    opened: Option<chrono::DateTime<chrono::Utc>>,
    completed: chrono::DateTime<chrono::Utc>,
) {
    let learn = Learning::new(db).await;
    use app::ssr::entities::xapi_statement;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter};
    learning::complete_lesson(db, learn.context(), who, "alpha", lesson)
        .await
        .expect("complete");
    let row = lesson_progress::Entity::find()
        .filter(lesson_progress::Column::AccountId.eq(who))
        .filter(lesson_progress::Column::LessonSlug.eq(lesson))
        .one(db)
        .await
        .expect("query")
        .expect("progress row");
    let mut row: lesson_progress::ActiveModel = row.into();
    row.completed_at = Set(completed);
    row.update(db).await.expect("set completion time");
    let alpha_id = catalogue::find_module(db, "alpha").await.expect("alpha").id;
    if let Some(at) = opened {
        xapi_statement::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            account_id: Set(who),
            verb: Set("http://adlnet.gov/expapi/verbs/experienced".to_owned()),
            object_id: Set(format!("http://localhost/modules/alpha/lessons/{lesson}")),
            module_id: Set(Some(alpha_id)),
            lesson_slug: Set(Some(lesson.to_owned())),
            timestamp: Set(at),
            statement: Set("{}".to_owned()),
        }
        .insert(db)
        .await
        .expect("statement");
    }
}

async fn time_on_task_is_measured_from_opening_to_completing(db: &DatabaseConnection) {
    use app::ssr::services::cohort_tables::{DashboardTable, table_csv};
    use chrono::{Duration, TimeZone, Utc};
    publish(db, &fixtures().join("valid")).await;
    let lead = account_with_role(db, "lead@example.org", "Lead", Role::CourseLead).await;
    let id = cohorts::create(db, &lead, "Timed", vec!["alpha".into()], &due(&[]))
        .await
        .expect("create");
    let code = cohorts::list_for_lead(db, &lead).await.expect("list")[0]
        .join_code
        .clone();
    let (a, b) = (
        learner(db, "a@example.org").await,
        learner(db, "b@example.org").await,
    );
    for who in [a, b] {
        cohorts::join(db, &learner_model(db, who).await, &code)
            .await
            .expect("join");
    }
    let t = Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("time");
    // a: 10 and 30 minutes. b: a three-hour gap (left and came back), and a lesson never opened here.
    opened_and_completed(db, a, "first", Some(t), t + Duration::minutes(10)).await;
    opened_and_completed(db, a, "second", Some(t), t + Duration::minutes(30)).await;
    opened_and_completed(db, b, "first", Some(t), t + Duration::hours(3)).await;
    opened_and_completed(db, b, "second", None, t).await;

    let d = cohorts::dashboard(db, &lead, id).await.expect("dashboard");
    assert_eq!(d.time_on_task.len(), 1);
    let row = &d.time_on_task[0];
    assert_eq!((row.measured, row.unmeasured), (2, 2));
    assert_eq!(row.median_minutes, Some(20.0));
    assert!(
        (row.total_hours - 40.0 / 60.0).abs() < 1e-9,
        "{}",
        row.total_hours
    );
    let csv = table_csv(&d, DashboardTable::TimeOnTask).expect("csv");
    assert_eq!(
        csv.lines().nth(1),
        Some("\"Alpha module\",2,2,20.0,10.0,0.67"),
        "{csv}"
    );
    // Every lesson finished, so each completion of the last lesson completed the module too.
    let funnel = table_csv(&d, DashboardTable::Funnel).expect("csv");
    assert_eq!(
        funnel.lines().nth(1),
        Some("\"Alpha module\",2,2,2,2"),
        "{funnel}"
    );
}

on_both_databases!(
    time_on_task_is_measured_from_opening_to_completing,
    dashboard_figures_match_a_hand_computed_cohort,
    only_the_owner_or_an_admin_manages_a_cohort,
    removing_a_learner_keeps_their_progress_and_is_audited,
    learners_cannot_reach_cohort_pages_or_exports,
    item_analysis_uses_each_learners_first_attempt,
);
