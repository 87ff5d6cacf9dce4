//! Shared test support: a fresh, migrated database per test on SQLite and on PostgreSQL, content fixtures,
//! and an in-process HTTP client for the real router.
//!
//! PostgreSQL tests read `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`) and create
//! a database of their own. They fail, never skip, when PostgreSQL is unreachable: a silently skipped run
//! would let a PostgreSQL-only bug through.

pub mod http_client;
pub mod identity_provider;
pub mod load;
pub mod lti_platform;
pub mod process;
pub mod soak;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::path::PathBuf;

/// A database made for one test, migrated with the real migrations.
pub struct TestDb {
    pub conn: DatabaseConnection,
    /// Where it is, for a server process started on it.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// The PostgreSQL server the tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

impl TestDb {
    /// A SQLite file in a temporary folder, removed when the test ends.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder for the SQLite test database");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("test.sqlite3").display()
        );
        let conn = app::ssr::db::connect(&url)
            .await
            .expect("connect to SQLite");
        app::ssr::db::migrate(&conn).await.expect("migrate SQLite");
        TestDb {
            conn,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// An empty PostgreSQL database of its own (created, migrated, dropped by [`TestDb::finish`]).
    pub async fn postgres() -> TestDb {
        let (admin_url, name, url) = Self::create_postgres_database().await;
        let conn = app::ssr::db::connect(&url)
            .await
            .expect("connect to the test database");
        app::ssr::db::migrate(&conn)
            .await
            .expect("migrate PostgreSQL");
        TestDb {
            conn,
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    /// Creates an empty PostgreSQL database; returns (admin URL, name, URL of the new database).
    pub async fn create_postgres_database() -> (String, String, String) {
        let admin_url = postgres_admin_url();
        let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {admin_url}: {e}. Start it (see README) or set TEST_POSTGRES_URL."
            )
        });
        let name = format!("academy_test_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        (admin_url, name, url)
    }

    /// Closes the connection and drops a PostgreSQL test database.
    pub async fn finish(self) {
        let _ = self.conn.close().await;
        if let Cleanup::Postgres { admin_url, name } = self.cleanup
            && let Ok(admin) = Database::connect(&admin_url).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            let _ = admin.close().await;
        }
    }
}

/// The folder of test fixtures.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The shipped curriculum.
pub fn real_content() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// Runs an async test body once on SQLite and once on PostgreSQL, each on a fresh database.
///
/// `on_both_databases!(learner_enrols);` expects `async fn learner_enrols(db: &DatabaseConnection)` and
/// makes the tests `learner_enrols::sqlite` and `learner_enrols::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::sqlite().await;
                $crate::guard_against_hangs(super::$name(&db.conn)).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::TestDb::postgres().await;
                $crate::guard_against_hangs(super::$name(&db.conn)).await;
                db.finish().await;
            }
        }
    )*};
}

/// Fails a test that has not finished after five minutes (every test takes seconds), so a hang shows up as a
/// named failure instead of stalling the whole suite. Not a speed check: speed is measured by benchmarks.
pub async fn guard_against_hangs(test: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(std::time::Duration::from_secs(300), test)
        .await
        .is_err()
    {
        panic!(
            "the test did not finish within five minutes: it is probably waiting on something that never happens"
        );
    }
}

/// Copies a content fixture into a temporary folder, so a test can edit it (to publish a new version).
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("create folder");
        for entry in std::fs::read_dir(from).expect("read fixture folder") {
            let entry = entry.expect("fixture entry");
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("copy fixture file");
            }
        }
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    copy(&fixtures().join(name), dir.path());
    dir
}

/// Loads and publishes a content folder into `db`, asserting it has no errors.
pub async fn publish(
    db: &DatabaseConnection,
    content: &std::path::Path,
) -> Vec<(String, app::ssr::services::catalogue::SyncOutcome)> {
    load_and_publish(db, content).await.1
}

/// Loads a content folder (asserting it has no errors) and publishes it into `db` as a server does at
/// start-up (modules unchanged since they were last published are not rendered again): the loaded library
/// (frameworks, pathways and the modules that changed), and what publishing did to each module.
pub async fn load_and_publish(
    db: &DatabaseConnection,
    content: &std::path::Path,
) -> (
    app::ssr::content::Library,
    Vec<(String, app::ssr::services::catalogue::SyncOutcome)>,
) {
    let published = app::ssr::services::content_folder::publish_folder(db, content)
        .await
        .expect("publish");
    assert!(
        published.report.errors.is_empty(),
        "content errors: {:?}",
        published.report.errors
    );
    (published.report.library, published.outcomes)
}

/// A learner whose email address is verified, for tests that need one.
pub async fn learner(db: &DatabaseConnection, email: &str) -> i32 {
    account(db, email, app::api::accounts::Role::Learner)
        .await
        .id
}

/// A verified account with `role`, for tests that need one.
pub async fn account(
    db: &DatabaseConnection,
    email: &str,
    role: app::api::accounts::Role,
) -> app::ssr::entities::account::Model {
    app::ssr::services::accounts::create_account(
        db,
        app::ssr::services::accounts::Registration {
            email: email.into(),
            display_name: "Test Learner".into(),
            password: "a long enough passphrase".into(),
        },
        role,
        app::ssr::services::accounts::Verified::Yes,
    )
    .await
    .expect("create account")
}

/// A mailer for a test server: writes `.eml` files into a fresh folder (the real file transport).
pub fn test_mailer() -> app::ssr::mail::Mailer {
    let folder = std::env::temp_dir().join(format!("academy-test-mail-{}", uuid::Uuid::new_v4()));
    app::ssr::mail::Mailer::folder(&folder, "Informatics Academy <academy@localhost>")
        .expect("a mail folder")
}

/// The first link in the newest queued email to `to` whose path starts with `path`, as a path and query
/// (what a person would follow from their inbox).
pub async fn emailed_link(db: &DatabaseConnection, to: &str, path: &str) -> Option<String> {
    use app::ssr::entities::mail_outbox;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let messages = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(to))
        .order_by_desc(mail_outbox::Column::Id)
        .all(db)
        .await
        .expect("read the outbox");
    messages.iter().find_map(|m| {
        app::ssr::mail::links_in(&m.body)
            .into_iter()
            .filter_map(|link| link.split_once("://").map(|(_, rest)| rest))
            .filter_map(|rest| rest.find('/').map(|i| &rest[i..]))
            .find(|p| p.starts_with(path))
            .map(str::to_owned)
    })
}

/// An issuer with a fresh signing key (in a temporary folder), as a server instance would have.
pub async fn test_issuer(db: &DatabaseConnection) -> app::ssr::records::Issuer {
    let keys = tempfile::tempdir().expect("temporary key folder");
    app::ssr::records::issuer::load_issuer(
        db,
        keys.path(),
        "http://localhost",
        "Informatics Academy",
    )
    .await
    .expect("issuer key")
}

/// The LTI tool key every test server shares (made once per test run, as making an RSA key takes a while),
/// published into `db` as a server's start-up does.
pub async fn test_tool_key(db: &DatabaseConnection) -> app::ssr::services::lti::tool_keys::ToolKey {
    static KEY_DIR: tokio::sync::OnceCell<tempfile::TempDir> = tokio::sync::OnceCell::const_new();
    static MADE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let dir = KEY_DIR
        .get_or_init(|| async { tempfile::tempdir().expect("temporary key folder") })
        .await;
    // The first call makes the key file; the rest read it (never two making it at once).
    let _one_at_a_time = MADE.lock().await;
    app::ssr::services::lti::tool_keys::load_or_create(db, dir.path())
        .await
        .expect("the LTI tool key")
}

/// The statement-id namespace of the site the tests play (a real site makes its own at first start).
pub const TEST_SITE: uuid::Uuid = uuid::Uuid::from_u128(0x0b5e_55ed_0000_4000_8000_0000_0000_0001);

/// Statements addressed to `http://localhost`, naming learners by account and kept here (not forwarded), as
/// every test server writes them.
pub fn local_xapi() -> &'static app::ssr::services::xapi::XapiSettings {
    static SETTINGS: std::sync::OnceLock<app::ssr::services::xapi::XapiSettings> =
        std::sync::OnceLock::new();
    SETTINGS.get_or_init(|| app::ssr::services::xapi::XapiSettings {
        base_url: "http://localhost".to_owned(),
        actor: app::ssr::services::xapi::ActorIdentity::Account,
        forward: false,
        statement_namespace: TEST_SITE,
    })
}

/// What a learning event needs, from a test's own issuer and frameworks.
pub fn events(
    issuer: &app::ssr::records::Issuer,
    frameworks: &[app::ssr::content::Framework],
) -> app::ssr::services::learning::Context {
    app::ssr::services::learning::Context {
        issuer: std::sync::Arc::new(issuer.clone()),
        frameworks: frameworks.into(),
        pathways: Vec::new().into(),
        xapi: std::sync::Arc::new(local_xapi().clone()),
    }
}

/// An issuer and the fixture frameworks, for tests whose learning events are not about records.
pub struct Learning {
    pub issuer: app::ssr::records::Issuer,
    pub frameworks: Vec<app::ssr::content::Framework>,
    /// Built once, as a server builds its own: events with one context can be written together.
    context: app::ssr::services::learning::Context,
}

impl Learning {
    pub async fn new(db: &DatabaseConnection) -> Self {
        let issuer = test_issuer(db).await;
        let frameworks = app::ssr::content::load_library(&fixtures().join("valid"))
            .library
            .frameworks;
        let context = events(&issuer, &frameworks);
        Learning {
            issuer,
            frameworks,
            context,
        }
    }

    pub fn context(&self) -> app::ssr::services::learning::Context {
        self.context.clone()
    }
}

/// Validates a credential against the official Open Badges 3.0 AchievementCredential JSON Schema, vendored
/// unmodified in `tests/standards/ob3` (source and licence in `tests/standards/README.md`), returning every
/// violation.
pub fn ob3_schema_errors(credential: &serde_json::Value) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("standards/ob3/achievementcredential.schema.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the OB 3.0 schema is needed at {}: {e}", path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(credential)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}
