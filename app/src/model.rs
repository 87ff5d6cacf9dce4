//! Types shared by the server and the browser: what server functions return and pages render. Plain data,
//! no I/O; the server-only logic that fills them lives in `ssr/services`.

pub mod accounts;
pub mod admin;
pub mod authoring;
pub mod catalogue;
pub mod cohorts;
pub mod lti;
pub mod pathways;
pub mod quizzes;
pub mod records;
pub mod self_assessment;
pub mod single_sign_on;
