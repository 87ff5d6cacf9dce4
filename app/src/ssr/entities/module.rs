//! A published module as learners see it now; its history is in `module_version`.

use sea_orm::entity::prelude::*;

use crate::error::AppError;
pub use crate::model::authoring::ModuleSource;
pub use crate::ssr::content::CompletionRule;
use crate::ssr::error::internal;

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
    pub completion: CompletionRule,
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
    /// Where the current version came from. A module last published from the browser is not overwritten
    /// by a different folder at start-up (see the README).
    pub source: ModuleSource,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The cohorts taking this module, with their due dates.
    #[sea_orm(has_many = "super::cohort_module::Entity")]
    CohortModule,
    #[sea_orm(has_many = "super::completion_record::Entity")]
    CompletionRecord,
    #[sea_orm(has_many = "super::enrolment::Entity")]
    Enrolment,
    /// The lessons of the current version.
    #[sea_orm(has_many = "super::lesson::Entity")]
    Lesson,
    #[sea_orm(has_many = "super::lesson_progress::Entity")]
    LessonProgress,
    #[sea_orm(has_many = "super::module_completion::Entity")]
    ModuleCompletion,
    #[sea_orm(has_many = "super::module_version::Entity")]
    ModuleVersion,
    /// Its searchable text (derived; see `services::catalogue_search`).
    #[sea_orm(has_one = "super::module_search_text::Entity")]
    ModuleSearchText,
    #[sea_orm(has_many = "super::quiz_attempt::Entity")]
    QuizAttempt,
}

impl Related<super::cohort_module::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CohortModule.def()
    }
}

impl Related<super::completion_record::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CompletionRecord.def()
    }
}

impl Related<super::enrolment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolment.def()
    }
}

impl Related<super::lesson::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Lesson.def()
    }
}

impl Related<super::lesson_progress::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LessonProgress.def()
    }
}

impl Related<super::module_completion::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModuleCompletion.def()
    }
}

impl Related<super::module_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModuleVersion.def()
    }
}

impl Related<super::module_search_text::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModuleSearchText.def()
    }
}

impl Related<super::quiz_attempt::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::QuizAttempt.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The published version learners see now. Every listed module has one; its absence is an error
    /// naming the module.
    pub async fn current_version<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<super::module_version::Model, AppError> {
        self.version_numbered(db, self.version)
            .await?
            .ok_or_else(|| {
                internal(
                    "finding a module's current version",
                    format!(
                        "module {} (“{}”) has no row for version {}",
                        self.id, self.slug, self.version
                    ),
                )
            })
    }

    /// One published version of this module, if it exists.
    pub async fn version_numbered<C: ConnectionTrait>(
        &self,
        db: &C,
        version: i32,
    ) -> Result<Option<super::module_version::Model>, AppError> {
        use super::module_version;
        Ok(module_version::Entity::find()
            .filter(module_version::Column::ModuleId.eq(self.id))
            .filter(module_version::Column::Version.eq(version))
            .one(db)
            .await?)
    }
}
