//! The small pages the LTI routes answer with outside the Leptos app (a VLE posts to them, often inside its
//! frame): escaped text, and a Content Security Policy naming exactly who may frame each page, where its
//! forms may post and which one script (by its hash) may run.

use app::ssr::state::AppState;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use http::{HeaderValue, header};
use sha2::{Digest, Sha256};

/// Text for HTML content and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// What a page's policy allows.
pub(crate) struct Policy<'a> {
    /// The sites that may frame it (none when empty).
    pub frame_origins: &'a [String],
    /// The `form-action` sources, as written in the policy (`'self'`, `'none'`, an origin).
    pub form_action: &'a str,
    /// The one inline script the page runs, allowed by its SHA-256.
    pub script: Option<&'a str>,
}

fn script_source(script: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script))
    )
}

fn with_policy(mut response: Response, policy: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A page in the site's look (its stylesheet), under `policy`.
pub(crate) fn page(
    state: &AppState,
    status: StatusCode,
    title: &str,
    body: &str,
    policy: &Policy<'_>,
) -> Response {
    let stylesheet = app::ssr::assets::stylesheet_href(&state.leptos_options);
    let script = policy
        .script
        .map(|s| format!("<script>{s}</script>"))
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><link rel=\"stylesheet\" href=\"{stylesheet}\">\
         <title>{title} – Informatics Academy</title></head><body><main class=\"main\" id=\"main\">\
         <h1>{title}</h1>{body}</main>{script}</body></html>",
        title = escape(title),
    );
    let ancestors = if policy.frame_origins.is_empty() {
        "'none'".to_owned()
    } else {
        policy.frame_origins.join(" ")
    };
    let scripts = policy
        .script
        .map_or_else(|| "'none'".to_owned(), script_source);
    with_policy(
        (status, Html(html)).into_response(),
        &format!(
            "default-src 'none'; style-src 'self'; img-src 'self'; script-src {scripts}; base-uri 'none'; \
             form-action {}; frame-ancestors {ancestors}",
            policy.form_action
        ),
    )
}

/// A small page without the site's look: `frame-ancestors` names the sites that may frame it (any site for
/// an error that could not tell which VLE asked, which shows nothing but the message).
pub(crate) fn small_page(status: StatusCode, title: &str, body: &str, ancestors: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{} – Informatics Academy</title></head>\
         <body><main><h1>{}</h1>{body}</main></body></html>",
        escape(title),
        escape(title)
    );
    with_policy(
        (status, Html(html)).into_response(),
        &format!(
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; \
             frame-ancestors {ancestors}"
        ),
    )
}
