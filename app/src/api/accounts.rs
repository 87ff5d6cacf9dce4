//! Registering, signing in and out, and who is signed in.

use crate::error::AppError;
use leptos::prelude::*;

pub use crate::model::accounts::*;

/// Who is signed in, for the header and for pages that change when signed in.
#[server(endpoint = "whoami")]
pub async fn current_account() -> Result<Option<AccountView>, AppError> {
    use crate::ssr::{auth, services::cohorts};
    let Some(account) = auth::current_account().await? else {
        return Ok(None);
    };
    let sees_cohorts = cohorts::sees_cohorts(&auth::app_state()?.db, &account).await?;
    Ok(Some(AccountView {
        display_name: account.display_name,
        email: account.email,
        role: account.role,
        email_verified: account.email_verified_at.is_some(),
        sees_cohorts,
    }))
}

#[cfg(feature = "ssr")]
async fn start_session(account_id: i32) -> Result<(), AppError> {
    use crate::ssr::auth;
    let headers: http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|e| crate::ssr::error::internal("reading request headers", e))?;
    let agent = headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    auth::start_session(&auth::session().await?, account_id, agent).await
}

/// Registers a learner: the emailed link proves the address. Answers the same whether or not the address
/// already has an account (the email tells its owner which), so it never signs anyone in.
#[server(endpoint = "register")]
pub async fn register(
    email: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth::app_state, services::accounts, services::email_links};
    let state = app_state()?;
    email_links::register(
        &state.db,
        &state.issuer.base_url,
        accounts::Registration {
            email,
            display_name,
            password,
        },
    )
    .await?;
    state.mailer.nudge();
    leptos_axum::redirect("/check-email");
    Ok(())
}

/// Sends the signed-in account a new verification link.
#[server(endpoint = "resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::ssr::{auth, services::email_links};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    email_links::resend_verification(&state.db, &state.issuer.base_url, &account).await?;
    state.mailer.nudge();
    leptos_axum::redirect("/check-email");
    Ok(())
}

/// Follows a verification link (a button on the link's page, so mail scanners that open links change nothing).
#[server(endpoint = "verify-email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use crate::ssr::{auth::app_state, services::email_links};
    let state = app_state()?;
    email_links::verify_email(
        &state.db,
        &state.issuer,
        &state.frameworks,
        &state.pathways,
        &token,
    )
    .await?;
    leptos_axum::redirect("/email-verified");
    Ok(())
}

/// Asks for a password reset link; the same answer whether or not the address has an account.
#[server(endpoint = "request-password-reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::ssr::{auth::app_state, services::email_links};
    let state = app_state()?;
    email_links::request_password_reset(&state.db, &state.issuer.base_url, &email).await?;
    state.mailer.nudge();
    leptos_axum::redirect("/check-email");
    Ok(())
}

/// Sets a new password from a reset link; every session of the account ends.
#[server(endpoint = "reset-password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    use crate::ssr::{auth::app_state, services::email_links};
    let state = app_state()?;
    email_links::reset_password(
        &state.db,
        &state.issuer,
        &state.frameworks,
        &state.pathways,
        &token,
        &new_password,
    )
    .await?;
    state.mailer.nudge();
    leptos_axum::redirect("/sign-in?reset=done");
    Ok(())
}

/// Asks to move the signed-in account to a new address (confirmed by a link sent there).
#[server(endpoint = "request-email-change")]
pub async fn request_email_change(
    new_email: String,
    email_password: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::email_links};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let signed_in_at = auth::signed_in_at().await?;
    email_links::request_email_change(
        &state.db,
        &state.issuer.base_url,
        &account,
        &new_email,
        &email_password,
        signed_in_at,
    )
    .await?;
    state.mailer.nudge();
    leptos_axum::redirect("/check-email");
    Ok(())
}

/// Follows a change-of-address link.
#[server(endpoint = "confirm-email-change")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    use crate::ssr::{auth::app_state, services::email_links};
    let state = app_state()?;
    email_links::confirm_email_change(
        &state.db,
        &state.issuer,
        &state.frameworks,
        &state.pathways,
        &token,
    )
    .await?;
    state.mailer.nudge();
    leptos_axum::redirect("/email-verified");
    Ok(())
}

/// Signs in with email and password, then goes to `next` (a path on this site) or the dashboard.
#[server(endpoint = "sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth::app_state, services::accounts};
    let state = app_state()?;
    let account = accounts::authenticate(&state.db, &state.limits, &email, &password).await?;
    start_session(account.id).await?;
    leptos_axum::redirect(&crate::ssr::redirects::after_sign_in(
        &state.public_url,
        next.as_deref(),
    ));
    Ok(())
}

/// The organisations whose staff can sign in with their own account, for the sign-in page. Anyone may ask:
/// the names are shown to everyone on that page.
#[server(endpoint = "sign-in-providers")]
pub async fn sign_in_providers()
-> Result<Vec<crate::model::single_sign_on::SignInProvider>, AppError> {
    use crate::ssr::{auth::app_state, services::single_sign_on::providers};
    providers::offered(&app_state()?.db).await
}

/// Signs out: the session row is deleted, not just the cookie.
#[server(endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::auth::session;
    use crate::ssr::error::internal;
    session()
        .await?
        .flush()
        .await
        .map_err(|e| internal("ending the session", e))?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The signed-in person's session row, to tell "this browser" apart from the others.
#[cfg(feature = "ssr")]
async fn current_session_reference() -> Result<Option<String>, AppError> {
    let session = crate::ssr::auth::session().await?;
    Ok(session.id().map(|id| crate::ssr::session_store::key(&id)))
}

/// The account page: profile and where the account is signed in.
#[server(endpoint = "account-settings")]
pub async fn fetch_account_settings() -> Result<AccountSettings, AppError> {
    use crate::ssr::{auth, services::accounts};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let current = current_session_reference().await?;
    accounts::settings(&state.db, &account, current.as_deref()).await
}

/// Corrects the account's name (records issued later carry it).
#[server(endpoint = "change-name")]
pub async fn change_name(display_name: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::accounts};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    accounts::change_name(&state.db, &account, &display_name).await
}

/// Changes the password, signing the account out of every other browser.
#[server(endpoint = "change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::accounts};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let current = current_session_reference().await?;
    accounts::change_password(
        &state.db,
        &state.issuer.base_url,
        &account,
        &current_password,
        &new_password,
        current.as_deref(),
    )
    .await?;
    state.mailer.nudge();
    Ok(())
}

/// Signs one of the account's other browsers out.
#[server(endpoint = "end-session")]
pub async fn end_session(reference: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::sessions};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    sessions::end(&state.db, &account, &reference).await
}

/// Signs the account out of every browser except this one.
#[server(endpoint = "end-other-sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    use crate::ssr::{auth, services::sessions};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let current = current_session_reference()
        .await?
        .ok_or(AppError::SignInRequired)?;
    sessions::end_others(&state.db, &account, &current)
        .await
        .map(|_| ())
}

/// Erases the signed-in learner's account (after their password), then signs the browser out.
#[server(endpoint = "delete-account")]
pub async fn delete_account(
    delete_password: String,
    confirm: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::personal_data};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::invalid(
            "confirm",
            "Tick the box to confirm that you want your account and learning history deleted.",
        ));
    }
    let signed_in_at = auth::signed_in_at().await?;
    personal_data::erase_account(&state.db, &account, &delete_password, signed_in_at).await?;
    auth::session()
        .await?
        .flush()
        .await
        .map_err(|e| crate::ssr::error::internal("ending the session", e))?;
    leptos_axum::redirect("/account-deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_never_redirects_off_site() {
        assert_eq!(safe_next(Some("/modules/prince2")), "/modules/prince2");
        assert_eq!(safe_next(Some("https://evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("//evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("/\\evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
    }
}
