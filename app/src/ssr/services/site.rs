//! This academy's identity in the world outside it: the namespace its xAPI statement ids are made in.
//!
//! Statement ids are UUIDs derived from what happened (`module-completed|<account>|<slug>`), which keeps
//! them stable on one site. Two academies (a staging and a production site, or two trusts) sending to one
//! learning record store would otherwise produce the same id for their own learner 1 and the LRS would
//! refuse the second with 409 Conflict. Each database therefore gets a random namespace the first time the
//! academy starts on it; every instance sharing the database reads the same one. A database that already
//! holds statements from before this keeps the namespace they were made in, so an event recorded again
//! after the upgrade still gets its old id and is stored once.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::error::AppError;
use crate::ssr::entities::{site_identity, xapi_statement};
use crate::ssr::error::internal;
use crate::ssr::services::xapi::LEGACY_NAMESPACE;

/// The single row's key.
const THE_SITE: i32 = 1;

/// The namespace for this site's statement ids: created on the first call against a database, then read.
/// Instances starting together race harmlessly: the first insert wins and every one reads the winner.
pub async fn statement_namespace(db: &impl ConnectionTrait) -> Result<Uuid, AppError> {
    if let Some(row) = site_identity::Entity::find_by_id(THE_SITE).one(db).await? {
        return parse(&row);
    }
    let upgraded = xapi_statement::Entity::find()
        .select_only()
        .column(xapi_statement::Column::Id)
        .into_tuple::<String>()
        .one(db)
        .await?
        .is_some();
    let first = if upgraded {
        LEGACY_NAMESPACE
    } else {
        Uuid::new_v4()
    };
    site_identity::Entity::insert(site_identity::ActiveModel {
        id: Set(THE_SITE),
        statement_namespace: Set(first.to_string()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(site_identity::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let row = site_identity::Entity::find_by_id(THE_SITE)
        .one(db)
        .await?
        .ok_or_else(|| internal("reading the site identity", "the row was not stored"))?;
    parse(&row)
}

fn parse(row: &site_identity::Model) -> Result<Uuid, AppError> {
    Uuid::parse_str(&row.statement_namespace).map_err(|e| {
        internal(
            "reading the site identity",
            format!(
                "site_identity {}, column statement_namespace: `{}` is not a UUID ({e})",
                row.id, row.statement_namespace
            ),
        )
    })
}
