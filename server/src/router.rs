//! The HTTP router: pages, server functions, static assets, sessions and protective headers.

use app::ssr::auth::RequestAccount;
use app::ssr::session_store::DbSessionStore;
use app::ssr::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::get;
use http::{HeaderName, HeaderValue, header};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::csrf::reject_cross_site;
use crate::flash::{FlashCookie, carry_flash};

/// The session cookie's name: with the `__Host-` prefix over https, so no subdomain or plain-http page can
/// set or shadow it.
pub fn session_cookie_name(secure_cookies: bool) -> &'static str {
    if secure_cookies {
        "__Host-academy_session"
    } else {
        "academy_session"
    }
}

/// Responses to a signed-in browser hold personal data (names, emails, progress, exports): no browser or
/// proxy cache may keep them. Anything that sets its own `Cache-Control` keeps it.
async fn private_unless_marked(
    request: Request<Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // The built assets (wasm, JavaScript, CSS) are the same for everyone and stay cacheable.
    let asset = request.uri().path().starts_with("/pkg/") || request.uri().path() == "/favicon.svg";
    let has_cookie = !asset && request.headers().contains_key(header::COOKIE);
    let mut response = next.run(request).await;
    let sets_cookie = !asset && response.headers().contains_key(header::SET_COOKIE);
    if (has_cookie || sets_cookie) && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// Every response says it may not be framed (`X-Frame-Options: DENY`, for browsers that predate CSP's
/// `frame-ancestors`), except one that names its own `frame-ancestors` other than `'none'`: the LTI launch's
/// answers, which the launching VLE frames.
async fn deny_framing_unless_allowed(
    request: Request<Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let framable = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|policy| {
            policy.contains("frame-ancestors") && !policy.contains("frame-ancestors 'none'")
        });
    if !framable && !response.headers().contains_key(header::X_FRAME_OPTIONS) {
        response
            .headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// The app's routes, worked out once per process. Generating them runs the app with resource loading
/// suppressed through a process-wide flag, so a page rendering at that moment on another thread could wait
/// forever (leptos issue 4773); tests build many routers at once, and a server needs the list only once.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The largest request body accepted anywhere (413 beyond it). Server functions read the whole body before
/// anything else runs, so without a cap anyone could make the server hold an arbitrarily large request in
/// memory. It fits a 1 MiB lesson after form encoding and a module zip (8 MiB of text compresses well below).
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// Per-request context for Leptos: the state, and a fresh memo of the signed-in account.
fn request_context(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(state.clone());
        provide_context(RequestAccount::default());
    }
}

async fn server_fn_handler(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(request_context(state), request).await
}

/// Builds the whole application router around `state`.
pub fn build_router(state: AppState, secure_cookies: bool) -> Router {
    let routes = route_list();
    let session_layer =
        SessionManagerLayer::new(DbSessionStore::new(state.db.clone(), state.sessions))
            .with_name(session_cookie_name(secure_cookies))
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure_cookies)
            .with_expiry(Expiry::OnSessionEnd);

    let leptos_options = state.leptos_options.clone();
    let flash = FlashCookie {
        secure: secure_cookies,
    };
    // Over https, browsers are told to use https only for a year (HSTS); on plain http it would be ignored.
    let hsts = secure_cookies.then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    Router::new()
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .merge(crate::record_endpoints::routes())
        .merge(crate::authoring_endpoints::routes())
        .merge(crate::account_endpoints::routes())
        .merge(crate::learning_endpoints::routes())
        .merge(crate::single_sign_on_endpoints::routes())
        .merge(crate::lti_endpoints::routes())
        .merge(crate::lti_deep_linking_endpoints::routes())
        .leptos_routes_with_context(&state, routes, request_context(state.clone()), move || {
            shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(session_layer)
        .layer(axum::middleware::from_fn_with_state(flash, carry_flash))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limits::limit_doors,
        ))
        .merge(crate::static_assets::routes(&state.leptos_options))
        .layer(axum::middleware::from_fn(private_unless_marked))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(reject_cross_site))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(axum::middleware::from_fn(deny_framing_unless_allowed))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(tower::util::option_layer(hsts))
        .with_state(state)
}
