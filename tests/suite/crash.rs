//! A crash (issue 14): the server process is killed with SIGKILL in the middle of a write load (once twenty
//! completions are stored, while learners keep sending more) and started
//! again on the same database. Every completion it acknowledged before dying must be stored, SQLite must
//! pass its integrity check, and the restarted server must migrate, load its content and serve the same
//! signed-in learners as before.
//!
//! This runs the real server binary (see `academy_tests::process`).

use academy_tests::process::RunningServer;
use academy_tests::soak::{self, courses, reconcile};
use academy_tests::{TestDb, fixtures};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use std::time::Duration;

async fn killed_mid_load_loses_no_acknowledged_write(db: &TestDb) {
    let data = tempfile::tempdir().expect("data folder");
    let first = RunningServer::start(&db.url, data.path()).await;
    let library = app::ssr::content::load_library(&fixtures().join("valid")).library;
    let learners = soak::learners(&db.conn, 100).await.expect("learners");
    let lesson = "/modules/alpha/lessons/first";
    let cookie = learners[0].cookie.clone();

    // Learners work until the server is killed under them (the load stops when it cannot reach it).
    let load = tokio::spawn(soak::run(
        first.base.clone(),
        learners,
        courses(&library).into(),
        Duration::from_secs(120),
        5,
    ));
    // Killed in the middle of the writing: once twenty completions are stored (however slow the machine).
    let until = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let stored = app::ssr::entities::lesson_progress::Entity::find()
            .count(&db.conn)
            .await
            .expect("count");
        if stored >= 20 {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "fewer than twenty completions in ninety seconds"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill();
    let report = load.await.expect("the load finished");
    assert!(
        !report.completions.is_empty(),
        "completions were acknowledged before the kill: {}",
        report.summary()
    );

    if db.url.starts_with("sqlite:") {
        assert_integrity(&db.conn).await;
    }
    let second = RunningServer::start(&db.url, data.path()).await;
    let stored = reconcile(&db.conn, &report).await.expect("reconcile");
    assert!(
        stored.lost.is_empty(),
        "{} of {} acknowledged completions were lost: {:?}",
        stored.lost.len(),
        stored.acknowledged,
        stored.lost
    );
    assert!(stored.issued_twice.is_empty(), "{:?}", stored.issued_twice);
    println!(
        "crash: before the kill {}; after the restart all {} acknowledged completions were stored",
        report.summary(),
        stored.acknowledged
    );

    // The learners' sessions survived with the database: the same cookie still signs in.
    let page = reqwest::Client::new()
        .get(format!("{}{lesson}", second.base))
        .header("cookie", format!("academy_session={cookie}"))
        .send()
        .await
        .expect("lesson after restart");
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap_or_default();
    assert!(
        body.contains("Sign out"),
        "still signed in after the restart"
    );
    let log = std::fs::read_to_string(&second.log).unwrap_or_default();
    assert!(!log.contains("ERROR"), "the restart logged errors:\n{log}");
}

/// SQLite's own check of every page and index.
async fn assert_integrity(db: &DatabaseConnection) {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .expect("integrity check");
    let verdict: Vec<String> = rows
        .iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    assert_eq!(verdict, vec!["ok".to_owned()], "SQLite integrity check");
}

mod killed_mid_load_loses_no_acknowledged_write {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let db = academy_tests::TestDb::sqlite().await;
        academy_tests::guard_against_hangs(super::killed_mid_load_loses_no_acknowledged_write(&db))
            .await;
        db.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let db = academy_tests::TestDb::postgres().await;
        academy_tests::guard_against_hangs(super::killed_mid_load_loses_no_acknowledged_write(&db))
            .await;
        db.finish().await;
    }
}
