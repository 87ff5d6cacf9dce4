//! A published module as learners see it now; its history is in `module_version`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "module")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub estimated_hours: f64,
    pub cpd_hours: f64,
    /// Catalogue order (the `order` field of module.toml).
    pub position: i32,
    /// The completion rule, as spelt in module.toml.
    pub completion: String,
    /// JSON array of `framework:code` strings.
    pub alignments: String,
    /// The current published version number (1, 2, ...).
    pub version: i32,
    pub content_hash: String,
    /// False once the module's folder is gone from `content/`: hidden from the catalogue, progress kept.
    pub listed: bool,
    pub updated_at: ChronoDateTimeUtc,
    /// The course lead who owns the module and may edit it in the browser (admins always may).
    pub owner_id: Option<i32>,
    /// Where the current version came from: `files` (the `content/` folder) or `browser`. A module last
    /// published from the browser is not overwritten by a different folder at start-up (see the README).
    pub source: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
