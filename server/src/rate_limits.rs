//! The per-address rate limit on the doors people knock on to guess passwords or flood the server. The
//! per-account limit on sign-in lives in the accounts service; both use `app::ssr::limits`.

use app::error::AppError;
use app::ssr::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The POST endpoints counted per client address.
pub const LIMITED_DOORS: &[&str] = &[
    "/api/sign-in",
    "/api/register",
    "/api/request-password-reset",
    "/api/reset-password",
    "/api/resend-verification",
    "/api/verify-email",
    "/api/change-password",
    "/api/request-email-change",
    "/api/delete-account",
    "/api/confirm-email-change",
    "/verify",
];

/// Doors to other systems' sign-in, any method: each request writes a row or calls the other system.
fn is_launch_door(path: &str) -> bool {
    path.starts_with("/lti/login")
        || path.starts_with("/lti/launch")
        || path.starts_with("/lti/continue")
        || path.starts_with("/lti/deep-link")
        || path.starts_with("/sign-in/sso/")
}

/// The client's address as the connection reports it. Behind a reverse proxy every request shares the
/// proxy's address, so the limit then applies to all clients together (see the README).
fn client_address(request: &Request<Body>) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// A 429 with `Retry-After`: the error as JSON for the hydrated app's server calls, as text otherwise.
pub fn too_many_requests(error: &AppError, wants_json: bool) -> Response {
    let retry_after = match error {
        AppError::TooManyRequests {
            retry_after_seconds,
        } => *retry_after_seconds,
        _ => 60,
    };
    let mut response = if wants_json {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(error).unwrap_or_default(),
        )
            .into_response()
    } else {
        (StatusCode::TOO_MANY_REQUESTS, error.to_string()).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Middleware: counts a POST to a limited door, or any request to a launch door, against the client's
/// address; over the limit, 429.
pub async fn limit_doors(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let limited = if request.method() == Method::POST && LIMITED_DOORS.contains(&path) {
        Some(state.limits.check_address(client_address(&request)))
    } else if is_launch_door(path) {
        Some(state.limits.check_launch(client_address(&request)))
    } else {
        None
    };
    if let Some(Err(error)) = limited {
        let wants_json = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("json"));
        return too_many_requests(&error, wants_json);
    }
    next.run(request).await
}
