//! Shared types for signing in with an organisation's identity provider (OpenID Connect).

use serde::{Deserialize, Serialize};

/// A provider offered on the sign-in page as "Sign in with <display name>".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInProvider {
    pub slug: String,
    pub display_name: String,
}

/// A registered provider as the admin page shows it (never its client secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProviderView {
    pub slug: String,
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub email_domains: Vec<String>,
    /// "groups = academy-leads", when a claim makes people course leads.
    pub lead_mapping: Option<String>,
    pub trusts_domain_addresses: bool,
    pub passwords_off: bool,
    pub enabled: bool,
    /// The address to register at the provider, exactly.
    pub redirect_uri: String,
    /// Accounts linked to the provider so far.
    pub linked_accounts: u64,
}

/// Why a sign-in through a provider did not sign anyone in. The sign-in page shows a fixed message for each,
/// chosen by its code in the address (`/sign-in?sso=<code>`), so no text from outside reaches the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SingleSignOnProblem {
    /// The person cancelled, or the provider refused them (`error=access_denied` and the like).
    Cancelled,
    /// The callback's `state` matches no sign-in started in this browser: expired, already used, or forged.
    AttemptUnknown,
    /// The provider's discovery document, keys or token endpoint could not be reached or read.
    ProviderUnreachable,
    /// The provider's answer failed a check (signature, issuer, audience, nonce, expiry, issue time).
    TokenRefused,
    /// The provider did not release an email address.
    NoEmail,
    /// The address is outside the domains the provider is registered for.
    DomainNotAllowed,
    /// An academy account already has the address and the provider does not vouch that it is the person's.
    EmailInUse,
}

impl SingleSignOnProblem {
    const ALL: [SingleSignOnProblem; 7] = [
        SingleSignOnProblem::Cancelled,
        SingleSignOnProblem::AttemptUnknown,
        SingleSignOnProblem::ProviderUnreachable,
        SingleSignOnProblem::TokenRefused,
        SingleSignOnProblem::NoEmail,
        SingleSignOnProblem::DomainNotAllowed,
        SingleSignOnProblem::EmailInUse,
    ];

    /// The code carried in the sign-in page's address.
    pub fn code(self) -> &'static str {
        match self {
            SingleSignOnProblem::Cancelled => "cancelled",
            SingleSignOnProblem::AttemptUnknown => "expired",
            SingleSignOnProblem::ProviderUnreachable => "unreachable",
            SingleSignOnProblem::TokenRefused => "refused",
            SingleSignOnProblem::NoEmail => "no-email",
            SingleSignOnProblem::DomainNotAllowed => "domain",
            SingleSignOnProblem::EmailInUse => "email-in-use",
        }
    }

    /// The problem a code names, if any (anything else in the address is ignored).
    pub fn from_code(code: &str) -> Option<SingleSignOnProblem> {
        Self::ALL.into_iter().find(|problem| problem.code() == code)
    }

    /// What the person is told, and what they can do about it.
    pub fn message(self) -> &'static str {
        match self {
            SingleSignOnProblem::Cancelled => {
                "Signing in with your organisation was cancelled, so you are not signed in. Try again, or sign in \
                 with your email address and password."
            }
            SingleSignOnProblem::AttemptUnknown => {
                "That sign-in link has expired or was already used. Start again from this page."
            }
            SingleSignOnProblem::ProviderUnreachable => {
                "Your organisation's sign-in service could not be reached. Try again in a few minutes; if it \
                 keeps happening, tell your IT service desk."
            }
            SingleSignOnProblem::TokenRefused => {
                "Your organisation's sign-in could not be confirmed, so you are not signed in. Try again; if it \
                 keeps happening, tell your IT service desk (the academy has logged the reason)."
            }
            SingleSignOnProblem::NoEmail => {
                "Your organisation did not share your email address with the academy, so no account could be \
                 found for you. Ask your IT service desk to release the email claim to Informatics Academy."
            }
            SingleSignOnProblem::DomainNotAllowed => {
                "Your email address is not in a domain this organisation's sign-in is set up for. Sign in with \
                 your email address and password, or ask an academy admin to add your domain."
            }
            SingleSignOnProblem::EmailInUse => {
                "An academy account already uses your email address, and your organisation has not confirmed \
                 that the address is yours. Sign in with your email address and password instead."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_found_by_its_own_code_and_nothing_else_is() {
        for problem in SingleSignOnProblem::ALL {
            assert_eq!(
                SingleSignOnProblem::from_code(problem.code()),
                Some(problem)
            );
        }
        assert_eq!(SingleSignOnProblem::from_code("<script>"), None);
        assert_eq!(SingleSignOnProblem::from_code(""), None);
    }
}
