//! A learner's score waiting to be sent to a VLE gradebook, kept until the VLE accepts it (retried with
//! back-off, parked with the VLE's reason when refused for good), as statements wait in `xapi_outbox`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_score_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub resource_link_id: i32,
    pub lti_account_id: i32,
    /// Percent: the best assessment score, or 100 for a module completed without one.
    pub score: i32,
    pub achieved_at: ChronoDateTimeUtc,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    pub last_attempt_at: Option<ChronoDateTimeUtc>,
    pub last_error: Option<String>,
    pub sent_at: Option<ChronoDateTimeUtc>,
    pub parked_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
