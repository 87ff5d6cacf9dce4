//! The Informatics Academy web server: configuration, start-up and the HTTP router.
//!
//! Kept as a library so the integration tests drive exactly the router that production serves.

pub mod account_endpoints;
pub mod authoring_endpoints;
pub mod config;
pub mod csrf;
pub mod current_account;
pub mod flash;
pub mod learning_endpoints;
pub mod lti_deep_linking_endpoints;
pub mod lti_endpoints;
mod lti_pages;
mod lti_platform_storage;
pub mod rate_limits;
pub mod record_endpoints;
pub mod router;
pub mod serve;
pub mod single_sign_on_endpoints;
pub mod startup;
pub mod static_assets;
