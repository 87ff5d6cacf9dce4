//! The application's logic as plain async functions over a database connection.
//!
//! Server functions check who is calling and then call these; tests call them directly on SQLite and
//! PostgreSQL without HTTP.

pub mod account_tokens;
pub mod accounts;
pub mod audit;
pub mod authoring;
pub mod catalogue;
pub mod catalogue_search;
pub mod cohort_tables;
pub mod cohorts;
pub mod completion;
pub mod content_folder;
pub mod email_links;
pub mod emails;
pub mod item_analysis;
pub mod learning;
pub mod lesson_events;
pub mod lrs;
pub mod lti;
pub mod mail_outbox;
pub mod passwords;
pub mod pathway_records;
pub mod pathways;
pub mod personal_data;
pub mod progress;
pub mod quizzes;
pub mod records;
pub mod self_assessment;
pub mod sessions;
pub mod single_sign_on;
pub mod site;
pub mod time_on_task;
pub mod xapi;
