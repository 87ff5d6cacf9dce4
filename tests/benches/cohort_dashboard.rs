//! How long the course lead's cohort dashboard takes for a cohort of 1,000 learners.
//!
//! Seeds a fresh database (SQLite, then PostgreSQL) with the fixture modules, 1,000 learners in one cohort,
//! realistic progress (each learner part-way through, with the lesson openings time on task reads), module
//! completions and first assessment attempts,
//! then times `cohorts::dashboard` end to end (all its queries plus the matrix, funnel, item analysis and time
//! on task).
//! Run: `cargo bench -p academy-tests --bench cohort_dashboard`.

use academy_tests::{TestDb, fixtures, publish};
use app::ssr::entities::{
    account, cohort, cohort_member, cohort_module, enrolment, lesson_progress, module,
    module_completion, quiz_attempt, xapi_statement,
};
use app::ssr::services::cohorts;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use std::time::{Duration, Instant};

const LEARNERS: i32 = 1_000;
const RUNS: usize = 15;

async fn seed(db: &DatabaseConnection) -> (account::Model, i32) {
    publish(db, &fixtures().join("valid")).await;
    let now = Utc::now();
    let accounts: Vec<account::ActiveModel> = (0..=LEARNERS)
        .map(|i| account::ActiveModel {
            email: Set(format!("learner{i}@example.org")),
            display_name: Set(format!("Learner {i:04}")),
            password_hash: Set("not-a-real-hash".into()),
            role: Set(if i == 0 {
                account::Role::CourseLead
            } else {
                account::Role::Learner
            }),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in accounts.chunks(200) {
        account::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("accounts");
    }
    let all = account::Entity::find().all(db).await.expect("accounts");
    let lead = all
        .iter()
        .find(|a| a.role == account::Role::CourseLead)
        .cloned()
        .expect("lead");
    let learners: Vec<i32> = all
        .iter()
        .filter(|a| a.role == account::Role::Learner)
        .map(|a| a.id)
        .collect();
    let modules = module::Entity::find().all(db).await.expect("modules");
    let cohort_row = cohort::Entity::insert(cohort::ActiveModel {
        name: Set("Benchmark cohort".into()),
        owner_id: Set(lead.id),
        join_code: Set("BENCH234".into()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("cohort");
    let cohort_id = cohort_row.last_insert_id;
    for m in &modules {
        cohort_module::Entity::insert(cohort_module::ActiveModel {
            cohort_id: Set(cohort_id),
            module_id: Set(m.id),
            due_on: Set(chrono::NaiveDate::from_ymd_opt(2027, 3, 31)),
            ..Default::default()
        })
        .exec(db)
        .await
        .expect("cohort module");
    }
    let lessons = app::ssr::entities::lesson::Entity::find()
        .all(db)
        .await
        .expect("lessons");
    let mut members = Vec::new();
    let mut enrolments = Vec::new();
    let mut progress = Vec::new();
    let mut openings = Vec::new();
    let mut completions = Vec::new();
    let mut attempts = Vec::new();
    for (n, &learner) in learners.iter().enumerate() {
        members.push(cohort_member::ActiveModel {
            cohort_id: Set(cohort_id),
            account_id: Set(learner),
            joined_at: Set(now),
            ..Default::default()
        });
        for m in &modules {
            enrolments.push(enrolment::ActiveModel {
                account_id: Set(learner),
                module_id: Set(m.id),
                enrolled_at: Set(now),
                ..Default::default()
            });
            // Learner n has done the first n % (lessons + 1) lessons of each module.
            let module_lessons: Vec<_> = lessons.iter().filter(|l| l.module_id == m.id).collect();
            let done = n % (module_lessons.len() + 1);
            for l in module_lessons.iter().take(done) {
                // Opened between 1 and 20 minutes before completing: what time on task reads.
                let minutes = i64::try_from(n % 20 + 1).unwrap_or(1);
                openings.push(xapi_statement::ActiveModel {
                    id: Set(format!("bench-{learner}-{}-{}", m.slug, l.slug)),
                    account_id: Set(learner),
                    verb: Set("http://adlnet.gov/expapi/verbs/experienced".into()),
                    object_id: Set(format!(
                        "http://localhost/modules/{}/lessons/{}",
                        m.slug, l.slug
                    )),
                    module_id: Set(Some(m.id)),
                    lesson_slug: Set(Some(l.slug.clone())),
                    timestamp: Set(now - chrono::Duration::minutes(minutes)),
                    statement: Set("{}".into()),
                });
                progress.push(lesson_progress::ActiveModel {
                    account_id: Set(learner),
                    module_id: Set(m.id),
                    lesson_slug: Set(l.slug.clone()),
                    module_version: Set(1),
                    content_hash: Set(l.content_hash.clone()),
                    completed_at: Set(now),
                    ..Default::default()
                });
            }
            if done == module_lessons.len() && n % 2 == 0 {
                completions.push(module_completion::ActiveModel {
                    account_id: Set(learner),
                    module_id: Set(m.id),
                    module_version: Set(1),
                    completed_at: Set(now),
                    ..Default::default()
                });
            }
            if m.slug == "gamma" {
                let answers = format!(
                    r#"{{"final-1":[{}],"final-2":[{}],"final-3":[0,2]}}"#,
                    n % 2,
                    1 - (n % 3).min(1)
                );
                attempts.push(quiz_attempt::ActiveModel {
                    account_id: Set(learner),
                    module_id: Set(m.id),
                    module_version: Set(1),
                    scope: Set(quiz_attempt::AttemptScope::Assessment),
                    answers: Set(answers),
                    correct: Set(0),
                    total: Set(3),
                    score: Set(0),
                    passed: Set(false),
                    submitted_at: Set(now),
                    ..Default::default()
                });
            }
        }
    }
    for chunk in members.chunks(500) {
        cohort_member::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("members");
    }
    for chunk in enrolments.chunks(500) {
        enrolment::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("enrolments");
    }
    for chunk in progress.chunks(500) {
        lesson_progress::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("progress");
    }
    for chunk in openings.chunks(500) {
        xapi_statement::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("xAPI statements");
    }
    for chunk in completions.chunks(500) {
        module_completion::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("completions");
    }
    for chunk in attempts.chunks(500) {
        quiz_attempt::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("attempts");
    }
    (lead, cohort_id)
}

async fn measure(name: &str, db: &DatabaseConnection) {
    let (lead, cohort_id) = seed(db).await;
    let warm = cohorts::dashboard(db, &lead, cohort_id)
        .await
        .expect("dashboard");
    assert_eq!(warm.rows.len(), LEARNERS as usize);
    let mut times: Vec<Duration> = (0..RUNS).map(|_| Duration::ZERO).collect();
    for slot in &mut times {
        let start = Instant::now();
        let dashboard = cohorts::dashboard(db, &lead, cohort_id)
            .await
            .expect("dashboard");
        *slot = start.elapsed();
        std::hint::black_box(dashboard);
    }
    times.sort();
    let csv_start = Instant::now();
    let csv = cohorts::dashboard_csv(&warm).expect("csv");
    let csv_time = csv_start.elapsed();
    println!(
        "{name}: cohort dashboard, {LEARNERS} learners x {} modules: median {:.1} ms, min {:.1} ms, max {:.1} ms over {RUNS} runs; CSV export {:.2} ms ({} KB)",
        warm.modules.len(),
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
        csv_time.as_secs_f64() * 1e3,
        csv.len() / 1024
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sqlite = TestDb::sqlite().await;
        measure("SQLite", &sqlite.conn).await;
        sqlite.finish().await;
        let postgres = TestDb::postgres().await;
        measure("PostgreSQL", &postgres.conn).await;
        postgres.finish().await;
    });
}
