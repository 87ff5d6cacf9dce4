//! Shared types for accounts: what server functions return and pages show, in both builds.

use serde::{Deserialize, Serialize};

/// What an account may do. Everyone can learn; course leads also author and run cohorts; admins manage.
///
/// Stored in `account.role` by its spelling (`learner`, `course-lead`, `admin`); a row holding anything
/// else fails to load with an error naming the value, rather than quietly becoming a learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "Text")
)]
pub enum Role {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "learner"))]
    Learner,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "course-lead"))]
    CourseLead,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "admin"))]
    Admin,
}

impl Role {
    /// The stored spelling, also used on the command line and in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::CourseLead => "course-lead",
            Role::Admin => "admin",
        }
    }

    /// The role a spelling names (`grant-role --role course-lead`), if any.
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Learner, Role::CourseLead, Role::Admin]
            .into_iter()
            .find(|role| role.as_str() == name)
    }
}

/// The signed-in person, as the pages need to show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// False until the holder follows the emailed link: they are reminded, and cannot join cohorts or earn
    /// records yet.
    pub email_verified: bool,
    /// Whether they have cohorts to see (a course lead, or a VLE course's teacher): the navigation offers
    /// the cohorts page.
    pub sees_cohorts: bool,
}

/// Whether an account's address is a real one. An account a VLE made has an address under the reserved
/// `.invalid` domain (RFC 2606), which receives no mail and means nothing to a reader: the VLE knows the
/// person by its own identifier instead.
pub fn is_real_address(email: &str) -> bool {
    !email.ends_with(".invalid")
}

impl AccountView {
    /// Whether the page asks them to verify their address (never an address a VLE account was given).
    pub fn asked_to_verify(&self) -> bool {
        !self.email_verified && is_real_address(&self.email)
    }
}

/// Where a signed-in person lands when no (acceptable) `next` was given.
pub const DEFAULT_LANDING: &str = "/dashboard";

/// Where to go after signing in: only a path on this site, never another site (no open redirect).
///
/// Used by both builds, so it parses nothing: it accepts a path only when every browser must read it as a
/// path on this origin. Browsers drop tabs and newlines from URLs and treat `\` like `/`, so `/\t/evil`
/// would become `//evil` (another host): any control character, space, backslash or non-ASCII byte refuses
/// the path outright. The server checks the result again against `PUBLIC_URL` (`ssr::redirects`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if is_local_path(path) => path.to_owned(),
        _ => DEFAULT_LANDING.to_owned(),
    }
}

/// A path-absolute reference that no browser can read as another origin, and that is a valid header value.
pub fn is_local_path(path: &str) -> bool {
    path.len() <= 2048
        && path.starts_with('/')
        && !path.starts_with("//")
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// One of a person's signed-in sessions, as their account page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Names the session in "sign out" forms: the stored hash of its id, never the cookie value.
    pub reference: String,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub signed_in_at: String,
    pub last_seen_at: String,
    /// "Firefox on Windows" and the like, from the browser's own description.
    pub browser: String,
    /// The session this page is being viewed in.
    pub current: bool,
}

/// The account page: who the academy thinks you are, and where you are signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub display_name: String,
    pub email: String,
    pub email_verified: bool,
    pub sessions: Vec<SessionView>,
    /// False for an account made by an organisation's sign-in: there is no password to change or confirm with.
    pub has_password: bool,
    /// The organisations whose sign-in is linked to this account, by name.
    pub organisations: Vec<String>,
}
