//! Connecting to SQLite or PostgreSQL and bringing the schema up to date, and a query shape several services
//! need (counting rows per value of a column).

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::path::Path;
use std::time::Duration;

/// Why the database could not be made ready; each names what to check.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot create the folder {folder} for the SQLite database: {source}")]
    CreateFolder {
        folder: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database at {url}: {source}")]
    Connect { url: String, source: DbErr },
    #[error("cannot apply database migrations: {0}")]
    Migrate(DbErr),
}

/// Starts a transaction that reads and then writes (a learning event, a record issued). On SQLite it takes
/// the write lock at `BEGIN` (`IMMEDIATE`), so it waits its turn under the busy timeout; a deferred one
/// that read first would fail with "database is locked" when another writer committed meanwhile. Other
/// databases ignore the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// How SQLite makes a commit durable (`SQLITE_SYNCHRONOUS`). Either way the database is never corrupted and
/// a killed process loses nothing it acknowledged: a commit is in the write-ahead log before the answer goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteDurability {
    /// `synchronous=FULL`: every commit is flushed to the disk before it is acknowledged, so a completion a
    /// learner saw saved survives a power cut or a host crash as well. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: the log is flushed at checkpoints only, so a power cut or host crash (not a
    /// process kill) can lose the last commits acknowledged before it. Faster; for disposable or replicated
    /// deployments.
    Normal,
}

impl std::str::FromStr for SqliteDurability {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.to_ascii_lowercase().as_str() {
            "full" => Ok(SqliteDurability::Full),
            "normal" => Ok(SqliteDurability::Normal),
            other => Err(format!(
                "`{other}` is not a SQLite durability setting: use `full` (every commit flushed to disk, the \
                 default) or `normal` (flushed at checkpoints; a power cut can lose the last commits)"
            )),
        }
    }
}

/// The default database: a SQLite file under `data/`, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/informatics-academy.sqlite3?mode=rwc";

/// Hides a password in a database URL before it is logged or shown.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => match parsed.set_password(Some("***")) {
            Ok(()) => parsed.to_string(),
            Err(()) => "(a database URL that could not be shown safely)".to_owned(),
        },
        Ok(_) => url.to_owned(),
        // Not a URL at all: show nothing of it, since it may still hold a secret.
        Err(_) => "(an unreadable database URL)".to_owned(),
    }
}

/// Connects with pool settings suited to each database, every SQLite commit flushed to disk.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbSetupError> {
    connect_with(url, SqliteDurability::Full).await
}

/// Connects with pool settings suited to each database. SQLite runs in WAL mode so readers never wait
/// for the single writer, with a busy timeout instead of immediate "database is locked" errors, and flushes
/// commits as `durability` says.
pub async fn connect_with(
    url: &str,
    durability: SqliteDurability,
) -> Result<DatabaseConnection, DbSetupError> {
    if let Some(path) = sqlite_file_path(url)
        && let Some(folder) = Path::new(&path).parent()
        && !folder.as_os_str().is_empty()
    {
        std::fs::create_dir_all(folder).map_err(|source| DbSetupError::CreateFolder {
            folder: folder.display().to_string(),
            source,
        })?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(match durability {
                    SqliteDurability::Full => SqliteSynchronous::Full,
                    SqliteDurability::Normal => SqliteSynchronous::Normal,
                })
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    if url.starts_with("sqlite:") {
        options.max_connections(8);
    } else {
        options.max_connections(16);
    }
    Database::connect(options)
        .await
        .map_err(|source| DbSetupError::Connect {
            url: redact_url(url),
            source,
        })
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbSetupError> {
    Migrator::up(db, None).await.map_err(DbSetupError::Migrate)
}

fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// How many rows of `rows` each value of the integer column `by` has, in one grouped query (for example the
/// accounts linked to each identity provider), rather than one count per value.
pub async fn count_by<E, C>(
    db: &C,
    rows: sea_orm::Select<E>,
    by: E::Column,
) -> Result<std::collections::HashMap<i32, u64>, crate::error::AppError>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::QuerySelect;
    let counts: Vec<(i32, i64)> = rows
        .select_only()
        .column(by)
        .column_as(
            sea_orm::sea_query::Expr::from(sea_orm::sea_query::Func::count(
                sea_orm::sea_query::Expr::col(by),
            )),
            "rows",
        )
        .group_by(by)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_never_shown() {
        assert_eq!(
            redact_url("postgres://academy:s3cret@db.example:5432/academy"),
            "postgres://academy:***@db.example:5432/academy"
        );
        assert_eq!(
            redact_url("sqlite://data/a.sqlite3"),
            "sqlite://data/a.sqlite3"
        );
    }

    #[test]
    fn finds_the_sqlite_file_to_create_its_folder() {
        assert_eq!(
            sqlite_file_path("sqlite://data/x.sqlite3?mode=rwc").as_deref(),
            Some("data/x.sqlite3")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://localhost/test"), None);
    }
}
