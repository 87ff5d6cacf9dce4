//! Seeds the database of a running Informatics Academy for `scripts/bench`: learners with signed-in
//! sessions, cohorts, part-way progress, and the lessons each learner has still to complete.
//!
//! The server must have started once on the database (it migrates it and publishes the curriculum). Sessions
//! are written through the server's own session store, so the cookies printed are real sign-ins.
//!
//! Writes into the output folder:
//! - `cookies.txt`: one session cookie value per learner;
//! - `completions.txt`: `cookie module lesson` for every lesson not yet completed, shuffled, so a load run
//!   marks each one complete once.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use app::ssr::entities::{
    account, cohort, cohort_member, cohort_module, enrolment, lesson, lesson_progress, module,
};
use chrono::Utc;
use clap::Parser;
use rand::seq::SliceRandom;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

/// Learners per cohort, as in a university intake or a trust's leadership programme.
const COHORT_SIZE: usize = 50;

#[derive(Parser)]
#[command(about = "Seed a benchmark database: learners, sessions, cohorts and progress")]
struct Args {
    /// The database the server runs on.
    #[arg(long)]
    database_url: String,
    /// How many learners to create.
    #[arg(long, default_value_t = 1000)]
    learners: usize,
    /// Where to write cookies.txt and completions.txt.
    #[arg(long)]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = app::ssr::db::connect(&args.database_url).await?;
    let modules = module::Entity::find().all(&db).await?;
    anyhow::ensure!(
        !modules.is_empty(),
        "no modules in {}: start the server on it once first",
        args.database_url
    );
    let lessons = lesson::Entity::find().all(&db).await?;
    let learners = academy_tests::load::create_accounts(&db, args.learners).await?;
    let lead = learners.first().context("at least one learner")?;
    let learners = &learners[1..];
    seed_cohorts(&db, lead.id, learners, &modules).await?;
    let still_to_do = seed_progress(&db, learners, &modules, &lessons).await?;
    let cookies = academy_tests::load::sign_in(&db, learners, "scripts/bench").await?;

    std::fs::create_dir_all(&args.out)?;
    let mut cookie_lines = String::new();
    for cookie in &cookies {
        writeln!(cookie_lines, "{cookie}")?;
    }
    std::fs::write(args.out.join("cookies.txt"), cookie_lines)?;
    let mut rows: Vec<String> = still_to_do
        .into_iter()
        .map(|(learner, module, lesson)| format!("{} {module} {lesson}", cookies[learner]))
        .collect();
    rows.shuffle(&mut rand::rng());
    std::fs::write(args.out.join("completions.txt"), rows.join("\n") + "\n")?;
    println!(
        "seeded {} learners in {} cohorts; {} lessons left to complete",
        learners.len(),
        learners.len().div_ceil(COHORT_SIZE),
        rows.len()
    );
    Ok(())
}

async fn seed_cohorts(
    db: &DatabaseConnection,
    lead: i32,
    learners: &[account::Model],
    modules: &[module::Model],
) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut members = Vec::new();
    for (n, group) in learners.chunks(COHORT_SIZE).enumerate() {
        let created = cohort::Entity::insert(cohort::ActiveModel {
            name: Set(format!("Bench cohort {n}")),
            owner_id: Set(lead),
            join_code: Set(format!(
                "B{:07}",
                uuid::Uuid::new_v4().as_u128() % 10_000_000
            )),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?;
        for m in modules {
            cohort_module::Entity::insert(cohort_module::ActiveModel {
                cohort_id: Set(created.last_insert_id),
                module_id: Set(m.id),
                due_on: Set(chrono::NaiveDate::from_ymd_opt(2027, 3, 31)),
                ..Default::default()
            })
            .exec(db)
            .await?;
        }
        members.extend(group.iter().map(|learner| cohort_member::ActiveModel {
            cohort_id: Set(created.last_insert_id),
            account_id: Set(learner.id),
            joined_at: Set(now),
            ..Default::default()
        }));
    }
    for chunk in members.chunks(500) {
        cohort_member::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Each learner enrolled on every module and part-way through it (learner n has done the first
/// n mod (lessons + 1) lessons); returns the lessons left, as (learner index, module, lesson).
async fn seed_progress(
    db: &DatabaseConnection,
    learners: &[account::Model],
    modules: &[module::Model],
    lessons: &[lesson::Model],
) -> anyhow::Result<Vec<(usize, String, String)>> {
    let now = Utc::now();
    let mut enrolments = Vec::new();
    let mut progress = Vec::new();
    let mut left = Vec::new();
    for (n, learner) in learners.iter().enumerate() {
        for m in modules {
            enrolments.push(enrolment::ActiveModel {
                account_id: Set(learner.id),
                module_id: Set(m.id),
                enrolled_at: Set(now),
                ..Default::default()
            });
            let mut in_module: Vec<&lesson::Model> =
                lessons.iter().filter(|l| l.module_id == m.id).collect();
            in_module.sort_by_key(|l| l.position);
            // Never all of them: a completed module would issue a record, which this seed does not make.
            let done = n % in_module.len().max(1);
            for (i, l) in in_module.iter().enumerate() {
                if i < done {
                    progress.push(lesson_progress::ActiveModel {
                        account_id: Set(learner.id),
                        module_id: Set(m.id),
                        lesson_slug: Set(l.slug.clone()),
                        module_version: Set(m.version),
                        content_hash: Set(l.content_hash.clone()),
                        completed_at: Set(now),
                        ..Default::default()
                    });
                } else {
                    left.push((n, m.slug.clone(), l.slug.clone()));
                }
            }
        }
    }
    for chunk in enrolments.chunks(500) {
        enrolment::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    for chunk in progress.chunks(500) {
        lesson_progress::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(left)
}
