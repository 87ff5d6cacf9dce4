//! One submitted attempt at a lesson's check-your-understanding questions or a module assessment.

use sea_orm::entity::prelude::*;

use crate::model::quizzes::ASSESSMENT_SCOPE;

/// What an attempt was at: the module assessment, or one lesson's check-your-understanding questions.
/// Stored as `assessment` or `lesson:<slug>`; any other stored value fails to load, naming it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum AttemptScope {
    Assessment,
    Lesson(String),
}

impl AttemptScope {
    /// The scope a quiz page or form names: `assessment`, or a lesson's slug.
    pub fn named(scope: &str) -> AttemptScope {
        if scope == ASSESSMENT_SCOPE {
            AttemptScope::Assessment
        } else {
            AttemptScope::Lesson(scope.to_owned())
        }
    }
}

impl std::fmt::Display for AttemptScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttemptScope::Assessment => f.write_str(ASSESSMENT_SCOPE),
            AttemptScope::Lesson(slug) => write!(f, "lesson:{slug}"),
        }
    }
}

/// A stored scope that is neither `assessment` nor `lesson:<slug>`.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an attempt scope")]
pub struct UnknownScope(String);

impl std::str::FromStr for AttemptScope {
    type Err = UnknownScope;

    fn from_str(stored: &str) -> Result<Self, UnknownScope> {
        match stored.strip_prefix("lesson:") {
            _ if stored == ASSESSMENT_SCOPE => Ok(AttemptScope::Assessment),
            Some(slug) if !slug.is_empty() => Ok(AttemptScope::Lesson(slug.to_owned())),
            _ => Err(UnknownScope(stored.to_owned())),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub module_id: i32,
    /// The module version whose questions were answered.
    pub module_version: i32,
    pub scope: AttemptScope,
    /// JSON object: question id → chosen option indices.
    pub answers: String,
    pub correct: i32,
    pub total: i32,
    /// Percentage, 0 to 100.
    pub score: i32,
    pub passed: bool,
    pub submitted_at: ChronoDateTimeUtc,
    /// 1, 2, 3... per learner and assessment, unique: the attempt limit is enforced by the index, not by a
    /// check that two racing requests could both pass. Null for lesson checks, which are unlimited.
    pub attempt_number: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::module::Entity",
        from = "Column::ModuleId",
        to = "super::module::Column::Id",
        on_delete = "Cascade"
    )]
    Module,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::module::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Module.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::AttemptScope;

    #[test]
    fn scopes_are_stored_as_they_always_were_and_nothing_else_loads() {
        for (scope, stored) in [
            (AttemptScope::Assessment, "assessment"),
            (AttemptScope::Lesson("intro".into()), "lesson:intro"),
        ] {
            assert_eq!(scope.to_string(), stored);
            assert_eq!(stored.parse::<AttemptScope>().ok(), Some(scope));
        }
        assert_eq!(
            AttemptScope::named("intro"),
            AttemptScope::Lesson("intro".into())
        );
        assert!("lesson:".parse::<AttemptScope>().is_err());
        assert!("quiz".parse::<AttemptScope>().is_err());
    }
}
