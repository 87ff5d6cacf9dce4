//! Registering, signing in and out, and who is signed in.

use crate::error::AppError;
use leptos::prelude::*;

pub use crate::model::accounts::*;

/// Who is signed in, for the header and for pages that change when signed in.
#[server(endpoint = "whoami")]
pub async fn current_account() -> Result<Option<AccountView>, AppError> {
    use crate::ssr::auth;
    Ok(auth::current_account().await?.map(|a| AccountView {
        display_name: a.display_name,
        email: a.email,
        role: Role::parse(&a.role),
    }))
}

#[cfg(feature = "ssr")]
async fn start_session(account_id: i32) -> Result<(), AppError> {
    use crate::ssr::auth::{ACCOUNT_ID_KEY, session};
    use crate::ssr::error::internal;
    use tower_sessions::Expiry;
    let session = session().await?;
    // A new id on every sign-in, so a session id planted before sign-in is worthless after it.
    session
        .cycle_id()
        .await
        .map_err(|e| internal("rotating the session id", e))?;
    session.set_expiry(Some(Expiry::AtDateTime(
        time::OffsetDateTime::now_utc() + time::Duration::days(14),
    )));
    session
        .insert(ACCOUNT_ID_KEY, account_id)
        .await
        .map_err(|e| internal("writing the session", e))
}

/// Creates a learner account and signs it in.
#[server(endpoint = "register")]
pub async fn register(
    email: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth::app_state, services::accounts};
    let state = app_state()?;
    let account = accounts::register(
        &state.db,
        accounts::Registration {
            email,
            display_name,
            password,
        },
        Role::Learner,
    )
    .await?;
    start_session(account.id).await?;
    leptos_axum::redirect("/dashboard");
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
    let account = accounts::authenticate(&state.db, &email, &password).await?;
    start_session(account.id).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_never_redirects_off_site() {
        assert_eq!(safe_next(Some("/modules/prince2")), "/modules/prince2");
        assert_eq!(safe_next(Some("https://evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("//evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("/\\evil.example")), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
    }
}
