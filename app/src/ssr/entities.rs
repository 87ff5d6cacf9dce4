//! sea-orm entities, one per table. The schema itself is owned by the `migrations` crate.

pub mod account;
pub mod account_identity;
pub mod account_token;
pub mod audit_event;
pub mod cohort;
pub mod cohort_member;
pub mod cohort_module;
pub mod completion_record;
pub mod enrolment;
pub mod identity_provider;
pub mod issuer_key;
pub mod lesson;
pub mod lesson_progress;
pub mod mail_outbox;
pub mod module;
pub mod module_completion;
pub mod module_draft;
pub mod module_search_text;
pub mod module_version;
pub mod quiz_attempt;
pub mod session;
pub mod site_identity;
pub mod xapi_outbox;
pub mod xapi_statement;
