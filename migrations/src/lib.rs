//! The database schema history of Informatics Academy.
//!
//! Migrations are applied at start-up on SQLite or PostgreSQL. They are a fixed history: once merged, a
//! migration is never edited; a change to the schema is a new migration. Each one names its tables and columns
//! as strings so it never depends on today's entities.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_accounts_and_sessions;
mod m20261125_000002_create_catalogue;
mod m20261125_000003_create_progress;
mod m20261125_000004_create_assessments_and_records;
mod m20261125_000005_create_cohorts;
mod m20261125_000006_create_xapi_statements;
mod m20261125_000007_create_xapi_outbox;
mod m20261125_000008_create_module_drafts;
mod m20261201_000009_number_assessment_attempts;
mod m20261201_000010_track_account_sessions;
mod m20261201_000011_verify_emails;
mod m20261201_000012_erase_accounts;
mod m20261201_000013_describe_statements;
mod m20261201_000014_keep_heading_anchors;
mod m20261207_000015_search_the_catalogue;
mod m20261207_000016_date_lesson_checks;
mod m20261207_000017_name_the_site_and_park_statements;
mod m20261207_000018_sign_in_with_identity_providers;
mod m20261207_000019_register_lti_platforms;
mod m20261207_000020_publish_lti_tool_keys;
mod m20261207_000021_link_content_from_vles;
mod m20261207_000022_pass_grades_back_to_vles;
mod m20261207_000023_sync_vle_rosters;
mod m20261207_000024_take_self_assessments;
mod m20261208_000025_issue_pathway_records;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_accounts_and_sessions::Migration),
            Box::new(m20261125_000002_create_catalogue::Migration),
            Box::new(m20261125_000003_create_progress::Migration),
            Box::new(m20261125_000004_create_assessments_and_records::Migration),
            Box::new(m20261125_000005_create_cohorts::Migration),
            Box::new(m20261125_000006_create_xapi_statements::Migration),
            Box::new(m20261125_000007_create_xapi_outbox::Migration),
            Box::new(m20261125_000008_create_module_drafts::Migration),
            Box::new(m20261201_000009_number_assessment_attempts::Migration),
            Box::new(m20261201_000010_track_account_sessions::Migration),
            Box::new(m20261201_000011_verify_emails::Migration),
            Box::new(m20261201_000012_erase_accounts::Migration),
            Box::new(m20261201_000013_describe_statements::Migration),
            Box::new(m20261201_000014_keep_heading_anchors::Migration),
            Box::new(m20261207_000015_search_the_catalogue::Migration),
            Box::new(m20261207_000016_date_lesson_checks::Migration),
            Box::new(m20261207_000017_name_the_site_and_park_statements::Migration),
            Box::new(m20261207_000018_sign_in_with_identity_providers::Migration),
            Box::new(m20261207_000019_register_lti_platforms::Migration),
            Box::new(m20261207_000020_publish_lti_tool_keys::Migration),
            Box::new(m20261207_000021_link_content_from_vles::Migration),
            Box::new(m20261207_000022_pass_grades_back_to_vles::Migration),
            Box::new(m20261207_000023_sync_vle_rosters::Migration),
            Box::new(m20261207_000024_take_self_assessments::Migration),
            Box::new(m20261208_000025_issue_pathway_records::Migration),
        ]
    }
}
