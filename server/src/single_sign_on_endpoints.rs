//! "Sign in with <organisation>": the two addresses of an OpenID Connect sign-in. Plain routes rather than
//! server functions, because both answer with a redirect to or from another site.

use app::error::AppError;
use app::ssr::auth::{self, session_unreadable};
use app::ssr::redirects::after_sign_in;
use app::ssr::services::single_sign_on::flow::{self, PENDING_KEY, PendingSignIn, ProviderAnswer};
use app::ssr::services::single_sign_on::{SingleSignOnError, SingleSignOnProblem};
use app::ssr::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::HeaderMap;
use serde::Deserialize;
use tower_sessions::Session;

/// Where a sign-in was asked for from: the page to return to afterwards.
#[derive(Debug, Deserialize)]
struct Start {
    next: Option<String>,
}

/// Back to the sign-in page with the problem's fixed message; the detail goes to the log only.
fn back_to_sign_in(slug: &str, problem: SingleSignOnProblem, detail: &str) -> Response {
    tracing::warn!(provider = %slug, problem = problem.code(), %detail, "sign-in through a provider refused");
    Redirect::to(&format!("/sign-in?sso={}", problem.code())).into_response()
}

async fn pending(session: &Session) -> Result<Vec<PendingSignIn>, AppError> {
    Ok(session
        .get::<Vec<PendingSignIn>>(PENDING_KEY)
        .await
        .map_err(session_unreadable)?
        .unwrap_or_default())
}

async fn keep_pending(session: &Session, pending: Vec<PendingSignIn>) -> Result<(), AppError> {
    let written = if pending.is_empty() {
        session
            .remove::<Vec<PendingSignIn>>(PENDING_KEY)
            .await
            .map(drop)
    } else {
        session.insert(PENDING_KEY, pending).await
    };
    written.map_err(|e| app::ssr::error::internal("writing the session", e))
}

/// `GET /sign-in/sso/{slug}`: sends the browser to the organisation's provider.
async fn start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(start): Query<Start>,
    session: Session,
) -> Result<Response, AppError> {
    let mut pending = pending(&session).await?;
    let outcome = flow::begin(
        &state.db,
        &state.identity_providers,
        &state.public_url,
        &slug,
        start.next.as_deref(),
        &mut pending,
    )
    .await;
    match outcome {
        Ok(url) => {
            keep_pending(&session, pending).await?;
            Ok(Redirect::to(url.as_str()).into_response())
        }
        Err(SingleSignOnError::Refused { problem, detail }) => {
            Ok(back_to_sign_in(&slug, problem, &detail))
        }
        Err(SingleSignOnError::App(error)) => Err(error),
    }
}

/// `GET /sign-in/sso/{slug}/callback`: the provider's answer; signs the person in and sends them on.
async fn callback(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(answer): Query<ProviderAnswer>,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, AppError> {
    let mut pending = pending(&session).await?;
    let outcome = flow::finish(
        &state.db,
        &state.identity_providers,
        &state.public_url,
        &slug,
        &answer,
        &mut pending,
    )
    .await;
    keep_pending(&session, pending).await?;
    match outcome {
        Ok((account, next)) => {
            let agent = headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok());
            auth::start_session(&session, account.id, agent).await?;
            tracing::info!(account = account.id, provider = %slug, "signed in through a provider");
            Ok(Redirect::to(&after_sign_in(&state.public_url, Some(&next))).into_response())
        }
        Err(SingleSignOnError::Refused { problem, detail }) => {
            Ok(back_to_sign_in(&slug, problem, &detail))
        }
        Err(SingleSignOnError::App(error)) => Err(error),
    }
}

/// The routes, merged into the main router (inside the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in/sso/{slug}", get(start))
        .route("/sign-in/sso/{slug}/callback", get(callback))
}
