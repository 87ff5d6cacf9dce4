//! A person who signs in: a learner, a course lead or an admin.

use sea_orm::entity::prelude::*;

pub use crate::model::accounts::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stored lower-cased, so sign-in is case-insensitive and unique.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// Argon2id PHC string; never leaves the server.
    pub password_hash: String,
    pub role: Role,
    pub created_at: ChronoDateTimeUtc,
    /// When the holder proved they own `email` (by a single-use link). Until then they can learn and track
    /// progress, but cannot join a cohort, be given a role or earn a record.
    pub email_verified_at: Option<ChronoDateTimeUtc>,
    /// Set when the holder erased the account: the row is then an anonymous tombstone (no email, name or
    /// password), kept so audit entries and withdrawn records still point at an account id.
    pub erased_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::account_token::Entity")]
    AccountToken,
    /// Cohorts this account created and runs as course lead (`cohort.owner_id`).
    #[sea_orm(has_many = "super::cohort::Entity")]
    OwnedCohort,
    #[sea_orm(has_many = "super::cohort_member::Entity")]
    CohortMember,
    /// Records issued to this account as their holder (`completion_record.account_id`).
    #[sea_orm(has_many = "super::completion_record::Entity")]
    CompletionRecord,
    #[sea_orm(has_many = "super::enrolment::Entity")]
    Enrolment,
    #[sea_orm(has_many = "super::lesson_progress::Entity")]
    LessonProgress,
    #[sea_orm(has_many = "super::module_completion::Entity")]
    ModuleCompletion,
    /// Drafts this account started (`module_draft.owner_id`).
    #[sea_orm(has_many = "super::module_draft::Entity")]
    ModuleDraft,
    #[sea_orm(has_many = "super::quiz_attempt::Entity")]
    QuizAttempt,
    #[sea_orm(has_many = "super::xapi_statement::Entity")]
    XapiStatement,
}

impl Related<super::account_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AccountToken.def()
    }
}

impl Related<super::cohort::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OwnedCohort.def()
    }
}

impl Related<super::cohort_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CohortMember.def()
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

impl Related<super::module_draft::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModuleDraft.def()
    }
}

impl Related<super::quiz_attempt::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::QuizAttempt.def()
    }
}

impl Related<super::xapi_statement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::XapiStatement.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
