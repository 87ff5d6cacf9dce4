//! Cross-site request forgery protection for every state-changing request.
//!
//! Session cookies are `SameSite=Lax`, which already keeps them off cross-site POSTs in current browsers.
//! As a second, independent layer, a POST (or other unsafe method) is refused when the browser says it came
//! from another site: `Sec-Fetch-Site: cross-site`/`same-site`, or an `Origin` that is not this host. Clients
//! that send neither header (curl, tests) carry no victim's cookies and pass. This is the Fetch Metadata
//! defence described in OWASP's CSRF cheat sheet, and needs no token in the forms.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, header};

/// Whether the request's headers show it was sent by a page on another site.
pub fn is_cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            !origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

/// Where other sites post by design: an LTI platform's login initiation and launch. Neither acts on a
/// session the request carries; each is checked on its own terms (a registered platform, a state bound to
/// this browser, a signed ID token).
const POSTED_FROM_OTHER_SITES: &[&str] = &["/lti/login", "/lti/launch"];

/// Middleware refusing cross-site state changes with 403 and a plain explanation.
pub async fn reject_cross_site(request: Request<Body>, next: Next) -> Response {
    if is_cross_site(request.method(), request.headers())
        && !POSTED_FROM_OTHER_SITES.contains(&request.uri().path())
    {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (
            StatusCode::FORBIDDEN,
            "This form was submitted from another website, so it was refused to protect your account.",
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_form_posted_from_another_site_is_refused() {
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "academy.example")
            ])
        ));
    }

    #[test]
    fn same_origin_posts_and_all_reads_are_allowed() {
        assert!(!is_cross_site(
            &Method::POST,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
        assert!(!is_cross_site(
            &Method::POST,
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ])
        ));
        assert!(!is_cross_site(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(!is_cross_site(&Method::POST, &headers(&[])));
    }
}
