//! One immutable published version of a module: what its lessons were, by slug and content hash.

use sea_orm::entity::prelude::*;

use crate::error::AppError;
use crate::ssr::content::{AssessmentSpec, CompletionRule};
use crate::ssr::error::internal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "module_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub module_id: i32,
    pub version: i32,
    pub content_hash: String,
    /// JSON array of `{slug, title, content_hash}` in lesson order.
    pub lessons: String,
    pub published_at: ChronoDateTimeUtc,
    /// JSON of the module assessment (questions, pass mark, attempt policy) as published; server only.
    pub assessment: Option<String>,
    /// The completion rule this version was published with.
    pub completion: CompletionRule,
    /// JSON object of the module's source files (name to text) as published, so any version can be exported
    /// or reopened in the editor byte for byte. Empty for versions published before authoring existed.
    pub files: Option<String>,
    /// Who published this version from the browser; `None` for versions loaded from `content/`.
    pub published_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::module::Entity",
        from = "Column::ModuleId",
        to = "super::module::Column::Id",
        on_delete = "Cascade"
    )]
    Module,
}

impl Related<super::module::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Module.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The assessment this version was published with, if any. A stored assessment that cannot be read is an
    /// error naming the row: it is never taken as "no assessment" (which would drop a pass mark from
    /// records, or open a module whose assessment is lost).
    pub fn assessment_spec(&self) -> Result<Option<AssessmentSpec>, AppError> {
        self.assessment
            .as_deref()
            .map(|json| {
                serde_json::from_str(json).map_err(|e| {
                    internal(
                        "reading a stored assessment",
                        format!(
                            "module_version {} (module {}, version {}): {e}",
                            self.id, self.module_id, self.version
                        ),
                    )
                })
            })
            .transpose()
    }
}
