//! PostgreSQL restarted under the server (issue 14). The server reaches the database through a TCP proxy the
//! test controls: cutting it closes every open connection and refuses new ones, as a database restart does.
//! During the outage a learner gets a quick 503 page that says nothing was saved; once the database is back
//! the same server, not restarted, serves and stores again.

use academy_tests::http_client::state_for;
use academy_tests::{TestDb, fixtures};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A loopback TCP proxy to PostgreSQL that can be cut and restored.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn to(target: std::net::SocketAddr) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (accepting, tracked) = (up.clone(), open.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                if let Ok(mut list) = tracked.lock() {
                    list.push(task.abort_handle());
                }
            }
        });
        Proxy { port, up, open }
    }

    /// The database goes away: open connections drop, new ones are refused.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Ok(mut list) = self.open.lock() {
            for task in list.drain(..) {
                task.abort();
            }
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A server on a loopback port whose database connections go through a [`Proxy`]; the fixture content is
/// published. Returns the proxy, the server's own connection (through the proxy) and the server's address.
async fn server_behind_a_proxy(db: &TestDb) -> (Proxy, sea_orm::DatabaseConnection, String) {
    let url = url::Url::parse(&db.url).expect("database URL");
    let target = std::net::SocketAddr::new(
        url.host_str()
            .and_then(|h| h.parse().ok())
            .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1])),
        url.port().unwrap_or(5432),
    );
    let proxy = Proxy::to(target).await;
    let mut through = url.clone();
    let _ = through.set_host(Some("127.0.0.1"));
    let _ = through.set_port(Some(proxy.port));
    let conn = app::ssr::db::connect(through.as_str())
        .await
        .expect("connect through the proxy");
    let state = state_for(&conn, &fixtures().join("valid")).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(server::serve::serve(
        listener,
        server::router::build_router(state, false),
        server::serve::ConnectionLimits::default(),
        std::future::pending(),
    ));
    (proxy, conn, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_gets_a_quick_503_and_the_server_recovers_by_itself() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_test_writer()
        .try_init();
    let db = TestDb::postgres().await;
    academy_tests::guard_against_hangs(async {
        let (proxy, conn, base) = server_behind_a_proxy(&db).await;
        let learner = academy_tests::soak::learners(&conn, 1)
            .await
            .expect("a learner")
            .remove(0);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let cookie = format!("academy_session={}", learner.cookie);
        let lesson = || {
            client
                .get(format!("{base}/modules/alpha/lessons/first"))
                .header("cookie", &cookie)
                .header("accept", "text/html")
                .send()
        };
        let complete = |lesson: &'static str| {
            client
                .post(format!("{base}/api/complete-lesson"))
                .header("cookie", &cookie)
                .header("accept", "application/json")
                .form(&[("module", "alpha"), ("lesson", lesson)])
                .send()
        };
        assert_eq!(lesson().await.expect("lesson").status(), 200);

        proxy.cut();
        let mut slowest = Duration::ZERO;
        for attempt in 0..3 {
            let started = Instant::now();
            let page = lesson().await.expect("an answer, not a dropped connection");
            let took = started.elapsed();
            slowest = slowest.max(took);
            assert_eq!(
                page.status(),
                503,
                "page during the outage, attempt {attempt}"
            );
            assert!(
                took < Duration::from_secs(12),
                "answered in {took:?}, not left hanging"
            );
            let body = page.text().await.unwrap_or_default();
            assert!(
                body.contains("temporarily unavailable"),
                "the page says what happened: {body}"
            );
        }
        let refused = complete("first").await.expect("an answer");
        assert_eq!(
            refused.status(),
            503,
            "a write during the outage is refused, not lost silently"
        );

        proxy.restore();
        let restored = Instant::now();
        let until = restored + Duration::from_secs(30);
        loop {
            let status = lesson().await.expect("lesson").status();
            if status == 200 {
                println!(
                    "outage: slowest 503 page {slowest:?}; a page again {:?} after the database came back",
                    restored.elapsed()
                );
                break;
            }
            assert!(
                Instant::now() < until,
                "not recovered 30 s after the database came back: {status}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(complete("first").await.expect("complete").status(), 200);
        let stored = app::ssr::entities::lesson_progress::Entity::find()
            .all(&db.conn)
            .await
            .expect("progress");
        use sea_orm::EntityTrait;
        assert_eq!(stored.len(), 1, "the completion after recovery is stored");

        // The LRS outbox: a forwarding round during an outage fails cleanly (the loop logs it and tries
        // again), and the next round after it sends what was queued.
        let forwarding = app::ssr::services::xapi::XapiSettings {
            forward: true,
            ..academy_tests::local_xapi().clone()
        };
        let account = app::ssr::entities::account::Entity::find_by_id(learner.account_id)
            .one(&db.conn)
            .await
            .expect("q")
            .expect("the learner");
        let alpha = app::ssr::services::catalogue::find_module(&db.conn, "alpha")
            .await
            .expect("alpha");
        app::ssr::services::xapi::record(
            &db.conn,
            &forwarding,
            &account,
            &alpha,
            app::ssr::services::xapi::LearningEvent::LessonCompleted {
                slug: "second",
                title: "Second lesson",
            },
        )
        .await
        .expect("queue a statement");
        let received: Arc<Mutex<usize>> = Arc::default();
        let counter = received.clone();
        let lrs_app = axum::Router::new().route(
            "/xapi/statements",
            axum::routing::post(
                move |axum::Json(batch): axum::Json<Vec<serde_json::Value>>| {
                    let counter = counter.clone();
                    async move {
                        if let Ok(mut n) = counter.lock() {
                            *n += batch.len();
                        }
                        "[]"
                    }
                },
            ),
        );
        let lrs_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let lrs_address = lrs_listener.local_addr().expect("address");
        tokio::spawn(async move {
            let _ = axum::serve(lrs_listener, lrs_app).await;
        });
        let lrs = app::ssr::services::lrs::LrsConfig {
            endpoint: format!("http://{lrs_address}/xapi"),
            username: "academy".into(),
            password: "secret".into(),
            batch: 10,
            timeout: Duration::from_secs(5),
        };
        proxy.cut();
        let round = app::ssr::services::lrs::forward_due(&conn, &client, &lrs).await;
        assert!(
            matches!(round, Err(app::error::AppError::Unavailable)),
            "a round during the outage fails as unavailable: {round:?}"
        );
        proxy.restore();
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            match app::ssr::services::lrs::forward_due(&conn, &client, &lrs).await {
                Ok(report) if report.sent == 1 => break,
                other => assert!(
                    Instant::now() < until,
                    "forwarding did not resume after the outage: {other:?}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(*received.lock().expect("lock"), 1, "sent once");
    })
    .await;
    db.finish().await;
}

/// The same restart under a hundred learners at work: every answer is a success, a refusal by the rules
/// (409) or the 503 that says nothing was saved, never a 500 or a dropped connection; nothing acknowledged is
/// lost and no record is issued twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learners_lose_nothing_through_a_database_restart_under_load() {
    let db = TestDb::postgres().await;
    academy_tests::guard_against_hangs(async {
        let (proxy, _conn, base) = server_behind_a_proxy(&db).await;
        let base_again = base.clone();
        let learners = academy_tests::soak::learners(&db.conn, 100)
            .await
            .expect("learners");
        let library = app::ssr::content::load_library(&fixtures().join("valid")).library;
        let load = tokio::spawn(academy_tests::soak::run(
            base,
            learners,
            academy_tests::soak::courses(&library).into(),
            Duration::from_secs(8),
            10,
        ));
        tokio::time::sleep(Duration::from_secs(2)).await;
        proxy.cut();
        tokio::time::sleep(Duration::from_secs(2)).await;
        proxy.restore();
        let report = load.await.expect("the load ran");
        println!("restart under load: {}", report.summary());
        let unavailable = report.statuses.get(&503).copied().unwrap_or(0);
        assert!(unavailable > 0, "the outage was seen: {}", report.summary());
        assert_eq!(
            report.failure_count, unavailable,
            "every failure was a 503, none a 500 or a dropped connection: {:#?}",
            report.failures
        );
        assert!(
            report.percentile_ms(1.0) < 12_000.0,
            "nobody was left hanging: {}",
            report.summary()
        );
        let stored = academy_tests::soak::reconcile(&db.conn, &report)
            .await
            .expect("reconcile");
        assert!(
            stored.lost.is_empty(),
            "acknowledged but lost: {:?}",
            stored.lost
        );
        assert!(stored.issued_twice.is_empty(), "{:?}", stored.issued_twice);
        // Served again without a restart: a learner's next page after the load is a page.
        let learner = academy_tests::soak::learners(&db.conn, 1)
            .await
            .expect("a learner")
            .remove(0);
        let page = reqwest::Client::new()
            .get(format!("{base_again}/modules/alpha/lessons/first"))
            .header("cookie", format!("academy_session={}", learner.cookie))
            .send()
            .await
            .expect("a page after the restart");
        assert_eq!(page.status(), 200);
    })
    .await;
    db.finish().await;
}
