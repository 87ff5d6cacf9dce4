//! Full-text search over the catalogue: one row of searchable text per module (title, summary and the plain
//! text of its lessons), indexed by the database's own full-text engine, so a catalogue of thousands of
//! modules is searched in the database rather than sent whole to the browser.
//!
//! SQLite keeps an FTS5 index over the rows (Porter stemming, accents folded), kept in step by triggers;
//! PostgreSQL keeps a weighted `tsvector` (English configuration) as a generated column with a GIN index.
//! The rows are written when a module is published; modules published before this are indexed at the next
//! start-up (see `catalogue_search::index_stale_modules`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000015_search_the_catalogue"
    }
}

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE module_search_text (
        module_id INTEGER PRIMARY KEY NOT NULL REFERENCES module (id) ON DELETE CASCADE,
        content_hash TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        body TEXT NOT NULL
    )",
    "CREATE VIRTUAL TABLE module_search USING fts5 (
        title, summary, body,
        content = 'module_search_text', content_rowid = 'module_id',
        tokenize = 'porter unicode61 remove_diacritics 2'
    )",
    "CREATE TRIGGER module_search_text_inserted AFTER INSERT ON module_search_text BEGIN
        INSERT INTO module_search (rowid, title, summary, body)
        VALUES (new.module_id, new.title, new.summary, new.body);
    END",
    "CREATE TRIGGER module_search_text_deleted AFTER DELETE ON module_search_text BEGIN
        INSERT INTO module_search (module_search, rowid, title, summary, body)
        VALUES ('delete', old.module_id, old.title, old.summary, old.body);
    END",
    "CREATE TRIGGER module_search_text_updated AFTER UPDATE ON module_search_text BEGIN
        INSERT INTO module_search (module_search, rowid, title, summary, body)
        VALUES ('delete', old.module_id, old.title, old.summary, old.body);
        INSERT INTO module_search (rowid, title, summary, body)
        VALUES (new.module_id, new.title, new.summary, new.body);
    END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER module_search_text_updated",
    "DROP TRIGGER module_search_text_deleted",
    "DROP TRIGGER module_search_text_inserted",
    "DROP TABLE module_search",
    "DROP TABLE module_search_text",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE module_search_text (
        module_id INTEGER PRIMARY KEY REFERENCES module (id) ON DELETE CASCADE,
        content_hash TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        body TEXT NOT NULL,
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, title), 'A')
            || setweight(to_tsvector('english'::regconfig, summary), 'B')
            || setweight(to_tsvector('english'::regconfig, body), 'D')
        ) STORED
    )",
    "CREATE INDEX module_search_text_document ON module_search_text USING GIN (document)",
];

const POSTGRES_DOWN: &[&str] = &["DROP TABLE module_search_text"];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run(manager, POSTGRES_UP).await,
            _ => run(manager, SQLITE_UP).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run(manager, POSTGRES_DOWN).await,
            _ => run(manager, SQLITE_DOWN).await,
        }
    }
}
