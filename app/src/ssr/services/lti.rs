//! The academy as an LTI 1.3 tool (1EdTech): a VLE launches a learner into a module or lesson, signed in.
//!
//! A launch is OpenID Connect's implicit flow started by the platform: its login initiation (`login`) is
//! answered by sending the browser to the platform's authorization endpoint with a fresh state and nonce; the
//! platform posts back an ID token, which `launch` checks as the LTI 1.3 core specification and the 1EdTech
//! Security Framework require (state and nonce single use, signature by the platform's published key with
//! rotation, issuer, audience and authorized party, deployment, message type and version, expiry and issue
//! time) before it signs the person in to the account linked to the platform's subject identifier, or, for a
//! Deep Linking request from a course's teacher, offers the catalogue to place in the course.

pub mod deep_linking;
pub mod grades;
pub mod launch;
mod linked_accounts;
pub mod login;
pub mod platform_keys;
pub mod platforms;
pub mod rosters;
pub mod service_access;
pub mod tool_keys;

use crate::error::AppError;

/// The LIS vocabulary's context (membership) roles, as LTI 1.3 names them in full.
const MEMBERSHIP: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#";

/// Whether the launch's or roster's roles include the context role `name` (`Learner`, `Instructor`): by its
/// full name, its simple name (LTI 1.3 allows both), or one of its sub-roles (`membership/Instructor#…`).
pub(crate) fn has_context_role(roles: &[String], name: &str) -> bool {
    let sub_roles = format!("http://purl.imsglobal.org/vocab/lis/v2/membership/{name}#");
    roles.iter().any(|role| {
        role.strip_prefix(MEMBERSHIP).unwrap_or(role) == name || role.starts_with(&sub_roles)
    })
}

/// Why a launch did not sign anyone in. Shown in the VLE's frame as a fixed message; the detail is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchProblem {
    /// The platform (issuer and client id) is not registered, or is turned off.
    UnknownPlatform,
    /// The login initiation is malformed (no issuer, no login hint, a target off this site).
    BadLogin,
    /// The launch's state matches no login initiation from this browser: lapsed, used, or forged.
    AttemptUnknown,
    /// The platform's keys could not be fetched.
    PlatformUnreachable,
    /// The ID token failed a check.
    TokenRefused,
    /// The deployment is not one the admin registered for this platform.
    UnknownDeployment,
    /// A message the academy does not take (it takes resource link launches and deep linking requests).
    UnsupportedMessage,
    /// A deep linking request from someone who does not teach the course (only instructors, content
    /// developers and administrators place content).
    NotAnInstructor,
}

impl LaunchProblem {
    /// What the person in the VLE is told.
    pub fn message(self) -> &'static str {
        match self {
            LaunchProblem::UnknownPlatform => {
                "This VLE is not registered with Informatics Academy, or its registration is turned off. Ask \
                 your VLE administrator to check the tool's registration."
            }
            LaunchProblem::BadLogin => {
                "The VLE started the launch without the details LTI 1.3 requires. Ask your VLE administrator \
                 to check the tool's login address and settings."
            }
            LaunchProblem::AttemptUnknown => {
                "This launch has expired or was already used. Go back to your course and open the activity \
                 again. If your browser blocks cookies inside the VLE, set the activity to open in a new \
                 window."
            }
            LaunchProblem::PlatformUnreachable => {
                "The academy could not fetch your VLE's public keys to check the launch. Try again in a few \
                 minutes; if it keeps happening, tell your VLE administrator."
            }
            LaunchProblem::TokenRefused => {
                "The launch could not be verified, so you have not been signed in. Try again from your \
                 course; if it keeps happening, tell your VLE administrator (the academy logged the reason)."
            }
            LaunchProblem::UnknownDeployment => {
                "This VLE deployment of the academy is not registered. Ask your VLE administrator to give the \
                 academy's admin its deployment id."
            }
            LaunchProblem::UnsupportedMessage => {
                "The VLE sent a kind of launch the academy does not take yet. Ask your VLE administrator to \
                 link to a module or lesson."
            }
            LaunchProblem::NotAnInstructor => {
                "Only the course's teachers can add academy content to it. If you teach this course, ask your \
                 VLE administrator to check your role in it."
            }
        }
    }
}

/// A login initiation or launch that did not sign anyone in.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// Refused, with the reason for the log.
    #[error("{problem:?}: {detail}")]
    Refused {
        problem: LaunchProblem,
        detail: String,
    },
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sea_orm::DbErr> for LaunchError {
    fn from(error: sea_orm::DbErr) -> Self {
        LaunchError::App(error.into())
    }
}

pub(crate) fn refused(problem: LaunchProblem, detail: impl Into<String>) -> LaunchError {
    LaunchError::Refused {
        problem,
        detail: detail.into(),
    }
}
