//! The academy as an LTI 1.3 tool: the login initiation, the launch, and continuing in a new window when the
//! VLE shows the academy in a frame. Plain routes: a VLE posts to them from its own site.
//!
//! Only a launch's answers may be framed, and only by the launching VLE's sites (`frame-ancestors`); every
//! other page of the site keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.

use crate::lti_pages::{escape, small_page};
use crate::lti_platform_storage::{check_state_page, keep_state_page, storage_target};
use app::error::AppError;
use app::ssr::auth;
use app::ssr::entities::account;
use app::ssr::entities::account_token::TokenPurpose;
use app::ssr::redirects::after_sign_in;
use app::ssr::services::account_tokens;
use app::ssr::services::lti::deep_linking;
use app::ssr::services::lti::launch::{self, LaunchForm, LaunchOutcome, Launched, StateProof};
use app::ssr::services::lti::login::{self, LoginInitiation, state_hash};
use app::ssr::services::lti::{LaunchError, LaunchProblem};
use app::ssr::state::AppState;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Router, http::StatusCode};
use http::{HeaderMap, HeaderValue, header};
use sea_orm::{EntityTrait, TransactionTrait};
use serde::Deserialize;
use tower_sessions::Session;

fn over_https(state: &AppState) -> bool {
    state.public_url.scheme() == "https"
}

/// The state cookie of one login initiation, named by its state's hash so several launches (several
/// activities on one VLE page) do not overwrite each other; `__Host-` over https, so no other host under the
/// same domain can plant one.
fn state_cookie_name(state: &AppState, state_hash: &str) -> String {
    let prefix = if over_https(state) { "__Host-" } else { "" };
    format!(
        "{prefix}academy_lti_{}",
        state_hash.get(..16).unwrap_or(state_hash)
    )
}

/// Over https the cookie must cross sites (the launch is posted by the VLE's page) and live in the VLE's
/// partition when framed; over plain http (development) browsers allow neither, so it is `Lax` there and
/// only a launch in a new window works.
fn cookie_attributes(state: &AppState, max_age: u32) -> String {
    let cross_site = if over_https(state) {
        "; Secure; SameSite=None; Partitioned"
    } else {
        "; SameSite=Lax"
    };
    format!("Path=/; Max-Age={max_age}; HttpOnly{cross_site}")
}

fn refusal(error: LaunchError) -> Result<Response, AppError> {
    match error {
        LaunchError::Refused { problem, detail } => {
            tracing::warn!(?problem, %detail, "LTI launch refused");
            let status = match problem {
                LaunchProblem::PlatformUnreachable => StatusCode::BAD_GATEWAY,
                LaunchProblem::AttemptUnknown | LaunchProblem::TokenRefused => {
                    StatusCode::UNAUTHORIZED
                }
                LaunchProblem::NotAnInstructor => StatusCode::FORBIDDEN,
                _ => StatusCode::BAD_REQUEST,
            };
            Ok(small_page(
                status,
                "The academy could not open this activity",
                &format!("<p>{}</p>", escape(problem.message())),
                "*",
            ))
        }
        LaunchError::App(error) => Err(error),
    }
}

async fn initiate(state: AppState, request: LoginInitiation) -> Result<Response, AppError> {
    match login::initiate(&state.db, &state.public_url, &request).await {
        Ok(started) => {
            // Where the VLE keeps the state for the tool, a page asks it to first; the cookie is set too.
            let mut response = match storage_target(request.lti_storage_target.as_deref()) {
                Some(target) => keep_state_page(
                    &state,
                    target,
                    &started.platform_origin,
                    &["*".to_owned()],
                    &started.state,
                    started.authorization_url.as_str(),
                ),
                None => Redirect::to(started.authorization_url.as_str()).into_response(),
            };
            let cookie = format!(
                "{}={}; {}",
                state_cookie_name(&state, &state_hash(&started.state)),
                started.state,
                cookie_attributes(&state, 600)
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(error) => refusal(error),
    }
}

/// `GET /lti/login`: a login initiation sent as a redirect.
async fn login_by_get(
    State(state): State<AppState>,
    Query(request): Query<LoginInitiation>,
) -> Result<Response, AppError> {
    initiate(state, request).await
}

/// `POST /lti/login`: a login initiation posted by the VLE's page.
async fn login_by_post(
    State(state): State<AppState>,
    Form(request): Form<LoginInitiation>,
) -> Result<Response, AppError> {
    initiate(state, request).await
}

fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// `POST /lti/launch`: the platform's ID token. Signs the person in and opens the linked page; inside the
/// VLE's frame (where the browser keeps the academy's sign-in cookie out), offers a new window instead.
async fn launch(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LaunchForm>,
) -> Result<Response, AppError> {
    let cookie_name = form
        .state
        .as_deref()
        .map(|s| state_cookie_name(&state, &state_hash(s)));
    let cookie = cookie_name
        .as_deref()
        .and_then(|name| cookie_value(&headers, name));
    // No cookie came back, but the VLE keeps the state for the tool: a page asks it, and posts the launch
    // from this site when the VLE gives back this launch's state. The state is not used up until then.
    if cookie.is_none()
        && let (Some(target), Some(launch_state), Some(id_token)) = (
            storage_target(form.lti_storage_target.as_deref()),
            form.state.as_deref(),
            form.id_token.as_deref(),
        )
        && let Some(origin) = launch::storage_origin(&state.db, launch_state).await?
    {
        return Ok(check_state_page(
            &state,
            target,
            &origin,
            &["*".to_owned()],
            id_token,
            launch_state,
        ));
    }
    let outcome = launch::launch(
        &state.db,
        &state.lti_platform_keys,
        &state.public_url,
        &form,
        StateProof::Cookie(cookie),
    )
    .await;
    // The state is used up either way: its cookie goes.
    let clear_cookie = cookie_name.and_then(|name| {
        HeaderValue::from_str(&format!("{name}=; {}", cookie_attributes(&state, 0))).ok()
    });
    let mut response = answer_outcome(&state, &headers, &session, outcome).await?;
    if let Some(value) = clear_cookie {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// A launch's answer: the linked page (or the offer of a new window), the Deep Linking picker, or why not.
async fn answer_outcome(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    outcome: Result<LaunchOutcome, LaunchError>,
) -> Result<Response, AppError> {
    match outcome {
        Ok(LaunchOutcome::ResourceLink(launched)) => {
            answer_launch(state, headers, session, &launched).await
        }
        Ok(LaunchOutcome::DeepLinking(picker)) => {
            let choices = deep_linking::choices(&state.db, &state.pathways).await?;
            Ok(crate::lti_deep_linking_endpoints::picker_page(
                state, &picker, &choices, None,
            ))
        }
        Err(error) => refusal(error),
    }
}

/// `POST /lti/launch/storage`: a launch whose state the VLE's page kept and gave back to the page this site
/// showed (see `lti_platform_storage`). Posted from this site only: it is not exempt from the cross-site
/// check, so it cannot be sent from anywhere else.
async fn launch_after_storage(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LaunchForm>,
) -> Result<Response, AppError> {
    let outcome = launch::launch(
        &state.db,
        &state.lti_platform_keys,
        &state.public_url,
        &form,
        StateProof::PlatformStorage,
    )
    .await;
    answer_outcome(&state, &headers, &session, outcome).await
}

/// Opens the linked page signed in; inside the VLE's frame, offers to continue in a new window.
async fn answer_launch(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    launched: &Launched,
) -> Result<Response, AppError> {
    let framed = headers
        .get("sec-fetch-dest")
        .is_some_and(|dest| dest == "iframe" || dest == "frame");
    if framed {
        return continue_in_new_window(state, launched).await;
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    auth::start_session(session, launched.account.id, agent).await?;
    Ok(Redirect::to(&after_sign_in(&state.public_url, Some(&launched.target))).into_response())
}

/// The page shown in the VLE's frame: a link opening the activity in a new window, where the person is
/// asked to continue and is then signed in by a ticket that works once, for two minutes.
async fn continue_in_new_window(
    state: &AppState,
    launched: &Launched,
) -> Result<Response, AppError> {
    let txn = state.db.begin().await?;
    let ticket =
        account_tokens::issue(&txn, launched.account.id, TokenPurpose::LtiContinue, None).await?;
    txn.commit().await?;
    let next: String = url::form_urlencoded::byte_serialize(launched.target.as_bytes()).collect();
    let title = launched
        .title
        .clone()
        .unwrap_or_else(|| "this activity".to_owned());
    let body = format!(
        "<p>Informatics Academy opens in its own window, where you stay signed in.</p>\
         <p><a href=\"/lti/continue?ticket={ticket}&amp;next={next}\" target=\"_blank\" rel=\"noopener\">Open {} \
         in Informatics Academy (new window)</a></p>",
        escape(&title)
    );
    let ancestors = if launched.frame_origins.is_empty() {
        "'none'".to_owned()
    } else {
        launched.frame_origins.join(" ")
    };
    Ok(small_page(
        StatusCode::OK,
        "Continue in Informatics Academy",
        &body,
        &ancestors,
    ))
}

/// The ticket and page of a continued launch.
#[derive(Debug, Deserialize)]
struct Continue {
    ticket: String,
    next: Option<String>,
}

fn ticket_expired() -> Response {
    small_page(
        StatusCode::UNAUTHORIZED,
        "This link has expired",
        "<p>It works once, for two minutes. Go back to your course and open the activity again.</p>",
        "'none'",
    )
}

/// `GET /lti/continue`: the new window from a framed launch asks before signing in, naming who it signs in
/// (and who is signed in now), so a link someone else made cannot quietly sign this browser in as them.
async fn confirm_continue(
    State(state): State<AppState>,
    session: Session,
    Query(request): Query<Continue>,
) -> Result<Response, AppError> {
    let ticket =
        match account_tokens::peek(&state.db, &request.ticket, TokenPurpose::LtiContinue).await {
            Ok(ticket) => ticket,
            Err(AppError::Invalid { .. }) => return Ok(ticket_expired()),
            Err(other) => return Err(other),
        };
    let Some(person) = account::Entity::find_by_id(ticket.account_id)
        .one(&state.db)
        .await?
        .filter(|a| a.erased_at.is_none())
    else {
        return Ok(ticket_expired());
    };
    let current = auth::account_for_session(&state.db, &state.sessions, &session).await?;
    let switching = match current {
        Some(current) if current.id != person.id => format!(
            "<p>This browser is signed in as {} now; continuing signs that account out here.</p>",
            escape(&current.display_name)
        ),
        _ => String::new(),
    };
    let next = escape(&after_sign_in(&state.public_url, request.next.as_deref()));
    let name = escape(&person.display_name);
    let body = format!(
        "<p>Your course opened Informatics Academy as <strong>{name}</strong>.</p>{switching}\
         <form method=\"post\" action=\"/lti/continue\"><input type=\"hidden\" name=\"ticket\" value=\"{}\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\"><button type=\"submit\">Continue as {name}</button>\
         </form>",
        escape(&request.ticket),
    );
    Ok(small_page(
        StatusCode::OK,
        "Continue in Informatics Academy",
        &body,
        "'none'",
    ))
}

/// `POST /lti/continue`: the person agreed; the ticket signs this window in, once. A form on this site
/// (another site's post is refused before it gets here).
async fn continue_launch(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Session,
    Form(request): Form<Continue>,
) -> Result<Response, AppError> {
    let txn = state.db.begin().await?;
    let used = match account_tokens::consume(&txn, &request.ticket, TokenPurpose::LtiContinue).await
    {
        Ok(used) => used,
        Err(AppError::Invalid { .. }) => return Ok(ticket_expired()),
        Err(other) => return Err(other),
    };
    txn.commit().await?;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    auth::start_session(&session, used.account_id, agent).await?;
    Ok(Redirect::to(&after_sign_in(&state.public_url, request.next.as_deref())).into_response())
}

/// `GET /lti/jwks.json`: the tool's public keys, for VLEs to verify what it signs.
async fn keyset(State(state): State<AppState>) -> Result<Response, AppError> {
    let keys = app::ssr::services::lti::tool_keys::keyset(&state.db).await?;
    let mut response = axum::Json(keys).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}

/// `GET /lti/config.json`: the tool's configuration for a VLE to import.
async fn configuration(State(state): State<AppState>) -> Response {
    axum::Json(app::ssr::services::lti::platforms::tool_configuration(
        &state.public_url,
    ))
    .into_response()
}

/// The routes, merged into the main router (inside the session layer). `/lti/login` and `/lti/launch` are
/// exempt from the cross-site check (`csrf.rs`): a VLE posts to them from its own site by design.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lti/login", get(login_by_get).post(login_by_post))
        .route("/lti/launch", axum::routing::post(launch))
        .route(
            "/lti/launch/storage",
            axum::routing::post(launch_after_storage),
        )
        .route("/lti/continue", get(confirm_continue).post(continue_launch))
        .route("/lti/jwks.json", get(keyset))
        .route("/lti/config.json", get(configuration))
}
