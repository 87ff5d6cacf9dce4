//! Pathway records: completing every required module of a pathway earns a record of its own, naming the
//! module records it rests on.
//!
//! A record is now for a module (`module_id` and `module_version`) or for a pathway (`pathway_slug`, a
//! content slug: pathways live in `content/pathways/`, not in the database), never both; a check constraint
//! says so. Each kind has its own revocation status list, so the status index is unique per kind. SQLite
//! cannot relax a column's NOT NULL in place, so `completion_record` is rebuilt (on both databases, one code
//! path, inside this migration's transaction) with its rows copied unchanged; rolling back rebuilds it in
//! its earlier shape, without the pathway records. Stop servers of the earlier version before migrating:
//! they cannot read a record that names no module.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000025_issue_pathway_records"
    }
}

/// Every column `completion_record` had before this migration, in order; copied as they are.
const KEPT_COLUMNS: &str = "id, account_id, module_id, module_version, status_index, credential, jwt, kid, \
                            issued_at, revoked_at, revoked_reason, revoked_by, withdrawn_at";

/// `completion_record` as it was before this migration (`false`: every record names a module) or after
/// (`true`: a record names a module or a pathway), built under `name`.
fn completion_record_table(name: &'static str, pathways: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(name)
        .col(string_len("id", 36).primary_key())
        .col(integer("account_id"));
    if pathways {
        table
            .col(integer_null("module_id"))
            .col(integer_null("module_version"));
    } else {
        table
            .col(integer("module_id"))
            .col(integer("module_version"));
    }
    table
        .col(integer("status_index"))
        .col(text("credential"))
        .col(text("jwt"))
        .col(string_len("kid", 64))
        .col(timestamp_with_time_zone("issued_at"))
        .col(timestamp_with_time_zone_null("revoked_at"))
        .col(text_null("revoked_reason"))
        .col(integer_null("revoked_by"))
        .col(timestamp_with_time_zone_null("withdrawn_at"));
    if pathways {
        table.col(string_len_null("pathway_slug", 64)).check((
            "chk_completion_record_kind",
            Expr::col("module_id")
                .is_not_null()
                .and(Expr::col("module_version").is_not_null())
                .and(Expr::col("pathway_slug").is_null())
                .or(Expr::col("module_id")
                    .is_null()
                    .and(Expr::col("module_version").is_null())
                    .and(Expr::col("pathway_slug").is_not_null())),
        ));
    }
    table
        .foreign_key(
            ForeignKey::create()
                .name("fk_completion_record_account")
                .from(name, "account_id")
                .to("account", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_completion_record_module")
                .from(name, "module_id")
                .to("module", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// Rebuilds `completion_record` in the shape `pathways` says, copying every row (the caller first removes
/// any the shape cannot hold), then its indexes.
async fn rebuild(manager: &SchemaManager<'_>, pathways: bool) -> Result<(), DbErr> {
    const REBUILT: &str = "completion_record_rebuilt";
    manager
        .create_table(completion_record_table(REBUILT, pathways))
        .await?;
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO {REBUILT} ({KEPT_COLUMNS}) SELECT {KEPT_COLUMNS} FROM completion_record"
    ))
    .await?;
    manager
        .drop_table(Table::drop().table("completion_record").to_owned())
        .await?;
    manager
        .rename_table(
            Table::rename()
                .table(REBUILT, "completion_record")
                .to_owned(),
        )
        .await?;
    if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // PostgreSQL names the primary key after the table it was made in.
        db.execute_unprepared(&format!(
            "ALTER TABLE completion_record RENAME CONSTRAINT {REBUILT}_pkey TO completion_record_pkey"
        ))
        .await?;
    }
    let mut unique = vec![(
        "idx_completion_record_account_module",
        vec!["account_id", "module_id"],
        None,
    )];
    if pathways {
        // NULLs are distinct in a unique index on both databases: a module record has no pathway. A status
        // index is unique within its kind's list.
        unique.extend([
            (
                "idx_completion_record_account_pathway",
                vec!["account_id", "pathway_slug"],
                None,
            ),
            (
                "idx_completion_record_module_status_index",
                vec!["status_index"],
                Some(Expr::col("pathway_slug").is_null()),
            ),
            (
                "idx_completion_record_pathway_status_index",
                vec!["status_index"],
                Some(Expr::col("pathway_slug").is_not_null()),
            ),
        ]);
    } else {
        unique.push((
            "idx_completion_record_status_index",
            vec!["status_index"],
            None,
        ));
    }
    for (name, columns, kind) in unique {
        let mut index = Index::create();
        index.name(name).table("completion_record").unique();
        for column in columns {
            index.col(column);
        }
        if let Some(kind) = kind {
            index.and_where(kind);
        }
        manager.create_index(index.to_owned()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// The rebuild must be all or nothing on SQLite too (sea-orm wraps only PostgreSQL's by default).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, true).await?;

        // One per learner and pathway: of two racing completions only one inserts it and issues the record;
        // its row id is the record's bit in the pathway status list.
        manager
            .create_table(
                Table::create()
                    .table("pathway_completion")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(string_len("pathway_slug", 64))
                    .col(timestamp_with_time_zone("completed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_pathway_completion_account")
                            .from("pathway_completion", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pathway_completion_account_pathway")
                    .table("pathway_completion")
                    .col("account_id")
                    .col("pathway_slug")
                    .unique()
                    .to_owned(),
            )
            .await?;

        // The module records a pathway record rests on, in the pathway's order.
        manager
            .create_table(
                Table::create()
                    .table("record_basis")
                    .col(string_len("record_id", 36))
                    .col(integer("position"))
                    .col(string_len("module_record_id", 36))
                    .primary_key(Index::create().col("record_id").col("position"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_record_basis_record")
                            .from("record_basis", "record_id")
                            .to("completion_record", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_record_basis_module_record")
                            .from("record_basis", "module_record_id")
                            .to("completion_record", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_basis_module_record")
                    .table("record_basis")
                    .col("module_record_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["record_basis", "pathway_completion"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        // Pathway records cannot be kept in a table whose records must name a module.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM completion_record WHERE pathway_slug IS NOT NULL")
            .await?;
        rebuild(manager, false).await
    }
}
