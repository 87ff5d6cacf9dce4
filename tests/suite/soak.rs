//! The short soak (issue 14): 500 learners for 10 seconds on each database through a real socket and the
//! production router, reading, completing, answering quizzes and taking assessments, some in two tabs at
//! once. No answer may be a 5xx, every completion acknowledged must be stored, and no record issued twice.
//! `scripts/soak` runs the long version (SOAK_SECONDS, SOAK_LEARNERS; figures in RELIABILITY.md).

use academy_tests::http_client::state_for;
use academy_tests::soak::{self, courses, reconcile};
use academy_tests::{fixtures, on_both_databases};
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// Learners and seconds: 500 for 10 s unless `SOAK_LEARNERS` / `SOAK_SECONDS` say otherwise.
fn size() -> (usize, Duration) {
    let read = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(default)
    };
    (
        usize::try_from(read("SOAK_LEARNERS", 500)).unwrap_or(500),
        Duration::from_secs(read("SOAK_SECONDS", 10)),
    )
}

async fn five_hundred_learners_for_ten_seconds_lose_nothing(db: &DatabaseConnection) {
    // A 5xx's cause is in the server's log: show it with the failure.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_test_writer()
        .try_init();
    let content = fixtures().join("valid");
    let state = state_for(db, &content).await;
    let library = app::ssr::content::load_library(&content).library;
    let router = server::router::build_router(state, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::serve::serve(
        listener,
        router,
        server::serve::ConnectionLimits::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let (count, length) = size();
    let learners = soak::learners(db, count).await.expect("learners");
    let report = soak::run(
        format!("http://{address}"),
        learners,
        courses(&library).into(),
        length,
        10,
    )
    .await;
    let _ = stop.send(());
    let _ = served.await;
    println!("soak: {}", report.summary());

    assert_eq!(
        report.failure_count, 0,
        "no 5xx and no dropped connection: {:#?}",
        report.failures
    );
    // Enough happened to mean something, however slow the machine (no speed is asserted here).
    assert!(
        report.completions.len() >= count.min(100),
        "completions got through: {}",
        report.summary()
    );
    assert!(report.quizzes_marked > 0 && report.assessments_marked > 0);
    let stored = reconcile(db, &report).await.expect("reconcile");
    assert!(
        stored.lost.is_empty(),
        "acknowledged but not stored: {:?}",
        stored.lost
    );
    assert!(
        stored.issued_twice.is_empty(),
        "records issued twice: {:?}",
        stored.issued_twice
    );
    assert!(stored.records > 0, "some learners finished a module");
    println!(
        "soak: {} acknowledged completions all stored, {} records, none issued twice",
        stored.acknowledged, stored.records
    );
}

on_both_databases!(five_hundred_learners_for_ten_seconds_lose_nothing);
