//! Shared types for accounts: what server functions return and pages show, in both builds.

use serde::{Deserialize, Serialize};

/// What an account may do. Everyone can learn; course leads also author and run cohorts; admins manage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Learner,
    CourseLead,
    Admin,
}

impl Role {
    /// The spelling stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::CourseLead => "course-lead",
            Role::Admin => "admin",
        }
    }

    /// Reads the stored spelling; anything unknown is treated as the least privileged role.
    pub fn parse(stored: &str) -> Role {
        match stored {
            "admin" => Role::Admin,
            "course-lead" => Role::CourseLead,
            _ => Role::Learner,
        }
    }
}

/// The signed-in person, as the pages need to show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub display_name: String,
    pub email: String,
    pub role: Role,
}

/// Where to go after signing in: only a path on this site, never another site (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/dashboard".to_owned(),
    }
}
