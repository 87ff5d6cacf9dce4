//! Server functions: thin. Each checks who is calling, calls a service, and returns an [`AppError`] a user
//! can act on. The types they return are shared with the browser build.

pub mod accounts;
pub mod admin;
pub mod authoring;
pub mod catalogue;
pub mod cohorts;
pub mod identity_providers;
pub mod lti_platforms;
pub mod pathways;
pub mod progress;
pub mod quizzes;
pub mod records;
pub mod self_assessment;
pub mod vle_courses;
