//! A full disk and a read-only database (issue 14), on SQLite. The database is held at its current size with
//! `max_page_count`, so the next write that needs a new page fails the way a full disk does ("database or
//! disk is full"); or it is made read-only (`query_only`, "attempt to write a readonly database"). The
//! learner gets a 503 that says nothing was saved, nothing of the refused action is half-written, and once
//! the cause is gone the same server takes the same action.

use academy_tests::http_client::app_for;
use academy_tests::{TestDb, fixtures};
use app::ssr::entities::{lesson_progress, xapi_statement};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    Statement,
};
use tower::ServiceExt;

async fn pragma(db: &DatabaseConnection, sql: &str) -> Option<i64> {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("pragma")
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
}

async fn complete(
    router: &axum::Router,
    cookie: &str,
    module: &str,
    lesson: &str,
) -> (u16, String) {
    let request = http::Request::post("/api/complete-lesson")
        .header("cookie", format!("academy_session={cookie}"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "module={module}&lesson={lesson}"
        )))
        .expect("request");
    let response = router.clone().oneshot(request).await.expect("answer");
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A server on one connection to `db` (so a PRAGMA set through it holds for everything the server runs),
/// with the fixture content and `learners` signed-in learners.
async fn one_connection_server(
    db: &TestDb,
    learners: usize,
) -> (
    DatabaseConnection,
    axum::Router,
    Vec<academy_tests::soak::Learner>,
) {
    let mut options = ConnectOptions::new(db.url.clone());
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    let conn = Database::connect(options).await.expect("connect");
    let router = app_for(&conn, &fixtures().join("valid")).await;
    let learners = academy_tests::soak::learners(&conn, learners)
        .await
        .expect("learners");
    (conn, router, learners)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_refuses_writes_cleanly_and_the_server_resumes() {
    let db = TestDb::sqlite().await;
    academy_tests::guard_against_hangs(async {
        let (conn, router, learners) = one_connection_server(&db, 1).await;
        let learner = &learners[0];
        pragma(&conn, "PRAGMA query_only = 1").await;
        let (status, body) = complete(&router, &learner.cookie, "alpha", "first").await;
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("Unavailable"), "{body}");
        let stored = || async {
            lesson_progress::Entity::find()
                .count(&conn)
                .await
                .expect("count")
        };
        assert_eq!(stored().await, 0, "nothing was written");
        pragma(&conn, "PRAGMA query_only = 0").await;
        assert_eq!(
            complete(&router, &learner.cookie, "alpha", "first").await.0,
            200
        );
        assert_eq!(
            stored().await,
            1,
            "written once the database takes writes again"
        );
    })
    .await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_cleanly_and_the_server_resumes_when_there_is_room() {
    let db = TestDb::sqlite().await;
    academy_tests::guard_against_hangs(async {
        let (conn, router, learners) = one_connection_server(&db, 40).await;

        let size = pragma(&conn, "PRAGMA page_count")
            .await
            .expect("page count");
        pragma(&conn, &format!("PRAGMA max_page_count = {size}")).await;
        let mut refused = None;
        for learner in &learners {
            let (status, body) = complete(&router, &learner.cookie, "alpha", "first").await;
            match status {
                200 => continue,
                503 => {
                    refused = Some((learner.account_id, body));
                    break;
                }
                other => panic!("a full disk answered {other}: {body}"),
            }
        }
        let (account, body) = refused.expect("the database filled up within forty completions");
        assert!(
            body.contains("Unavailable"),
            "a 503 the page explains: {body}"
        );
        let kept = lesson_progress::Entity::find()
            .all(&conn)
            .await
            .expect("progress")
            .into_iter()
            .filter(|row| row.account_id == account)
            .count();
        assert_eq!(kept, 0, "nothing of the refused completion was written");

        // Room again: the same learner's same action now goes through, and the file is sound.
        pragma(&conn, "PRAGMA max_page_count = 1073741823").await;
        let cookie = learners
            .iter()
            .find(|l| l.account_id == account)
            .map(|l| l.cookie.clone())
            .expect("the learner");
        assert_eq!(complete(&router, &cookie, "alpha", "first").await.0, 200);
        assert!(
            xapi_statement::Entity::find()
                .count(&conn)
                .await
                .expect("count")
                > 0,
            "statements are written again"
        );
        let verdict = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                "PRAGMA integrity_check",
            ))
            .await
            .expect("integrity")
            .and_then(|row| row.try_get_by_index::<String>(0).ok());
        assert_eq!(verdict.as_deref(), Some("ok"));
    })
    .await;
    db.finish().await;
}
