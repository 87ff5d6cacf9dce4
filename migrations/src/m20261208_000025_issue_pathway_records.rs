//! Pathway records: completing every required module of a pathway earns a record of its own, naming the
//! module records it rests on.
//!
//! A record is now for a module (`module_id` and `module_version`) or for a pathway (`pathway_slug`, a
//! content slug: pathways live in `content/pathways/`, not in the database), never both; a check constraint
//! says so. Each kind has its own revocation status list, so the status index is unique per kind. SQLite
//! cannot relax a column's NOT NULL in place, so `completion_record` is rebuilt (on both databases, one code
//! path, inside this migration's transaction) with its rows copied unchanged.

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// The rebuild must be all or nothing on SQLite too (sea-orm wraps only PostgreSQL's by default).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("completion_record_rebuilt")
                    .col(string_len("id", 36).primary_key())
                    .col(integer("account_id"))
                    .col(integer_null("module_id"))
                    .col(integer_null("module_version"))
                    .col(integer("status_index"))
                    .col(text("credential"))
                    .col(text("jwt"))
                    .col(string_len("kid", 64))
                    .col(timestamp_with_time_zone("issued_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(text_null("revoked_reason"))
                    .col(integer_null("revoked_by"))
                    .col(timestamp_with_time_zone_null("withdrawn_at"))
                    .col(string_len_null("pathway_slug", 64))
                    .check((
                        "chk_completion_record_kind",
                        Expr::col("module_id")
                            .is_not_null()
                            .and(Expr::col("module_version").is_not_null())
                            .and(Expr::col("pathway_slug").is_null())
                            .or(Expr::col("module_id")
                                .is_null()
                                .and(Expr::col("module_version").is_null())
                                .and(Expr::col("pathway_slug").is_not_null())),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_completion_record_account")
                            .from("completion_record_rebuilt", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_completion_record_module")
                            .from("completion_record_rebuilt", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "INSERT INTO completion_record_rebuilt ({KEPT_COLUMNS}) SELECT {KEPT_COLUMNS} FROM completion_record"
        ))
        .await?;
        manager
            .drop_table(Table::drop().table("completion_record").to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table("completion_record_rebuilt", "completion_record")
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_completion_record_account_module",
                ["account_id", "module_id"],
            ),
            (
                "idx_completion_record_account_pathway",
                ["account_id", "pathway_slug"],
            ),
        ] {
            // NULLs are distinct in a unique index on both databases: a module record has no pathway.
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("completion_record")
                        .col(columns[0])
                        .col(columns[1])
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        // A status index is unique within its kind's list.
        for (name, pathway) in [
            ("idx_completion_record_module_status_index", false),
            ("idx_completion_record_pathway_status_index", true),
        ] {
            let kind = if pathway {
                Expr::col("pathway_slug").is_not_null()
            } else {
                Expr::col("pathway_slug").is_null()
            };
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("completion_record")
                        .col("status_index")
                        .unique()
                        .and_where(kind)
                        .to_owned(),
                )
                .await?;
        }

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
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM completion_record WHERE pathway_slug IS NOT NULL")
            .await?;
        for index in [
            "idx_completion_record_account_pathway",
            "idx_completion_record_pathway_status_index",
            "idx_completion_record_module_status_index",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(index)
                        .table("completion_record")
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_completion_record_status_index")
                    .table("completion_record")
                    .col("status_index")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The columns stay nullable and `pathway_slug` stays (SQLite would need the rebuild again); every
        // remaining row names a module.
        Ok(())
    }
}
