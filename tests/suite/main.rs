//! The integration suite, built as one test binary so it links once.
//!
//! Every service test runs twice, on SQLite and on PostgreSQL, each on a fresh database migrated with the
//! real migrations.

mod accounts;
mod assessments;
mod assets;
mod authoring;
mod authorisation;
mod catalogue;
mod cohorts;
mod connections;
mod content;
mod crash;
mod disk_full;
mod http_journey;
mod instances;
mod learning;
mod lti;
mod mail;
mod messages;
mod migrations;
mod outage;
mod pathway_records;
mod pathways;
mod personal_data;
mod progress;
mod properties;
mod publishing;
mod records;
mod self_assessment;
mod sessions;
mod single_sign_on;
mod soak;
mod xapi;
