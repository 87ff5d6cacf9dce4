//! sea-orm entities, one per table. The schema itself is owned by the `migrations` crate.

pub mod account;
pub mod enrolment;
pub mod lesson;
pub mod lesson_progress;
pub mod module;
pub mod module_version;
pub mod session;
