//! One-time messages carried across a redirect in a short-lived cookie, never in the address.
//!
//! Without JavaScript, a failed form post redirects back to its page with the error in the query string
//! (Leptos's `__err`/`__path`, and the authoring import's `import_error`); the page then shows that text.
//! Read from the address, anyone could craft a link that puts their own words on a real page of the academy.
//! So the response to the post moves those parameters into a cookie bound to the page it redirects to, and
//! the next request for that page gets them back (inside the server only) and clears the cookie. Any such
//! parameter arriving in an address is dropped by redirecting to the same address without it. A cookie is
//! set only by this site, so only the browser that made the mistake sees the message.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderValue, Method, Uri, header};
use serde::{Deserialize, Serialize};
use url::form_urlencoded;

/// Query parameters that only the server may put on a page, through the flash cookie.
pub const FLASH_PARAMS: &[&str] = &["__err", "__path", "import_error"];

/// Longest flash accepted: a browser keeps a cookie of up to about 4 KB.
const MAX_FLASH_BYTES: usize = 3_800;

/// How to name and mark the cookie: `__Host-` and `Secure` when the site is served over https.
#[derive(Clone, Copy, Debug)]
pub struct FlashCookie {
    pub secure: bool,
}

impl FlashCookie {
    pub fn name(self) -> &'static str {
        if self.secure {
            "__Host-academy_flash"
        } else {
            "academy_flash"
        }
    }

    fn attributes(self, max_age: u32) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}

/// What the cookie holds: the page it is for and the parameters to give that page once.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Flash {
    path: String,
    params: Vec<(String, String)>,
}

fn is_flash_param(name: &str) -> bool {
    FLASH_PARAMS.contains(&name)
}

/// Splits a query into the flash parameters and the rest (re-encoded).
fn split_query(query: &str) -> (Vec<(String, String)>, String) {
    let mut flash = Vec::new();
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if is_flash_param(&name) {
            flash.push((name.into_owned(), value.into_owned()));
        } else {
            rest.append_pair(&name, &value);
        }
    }
    (flash, rest.finish())
}

/// A path that can only mean this site: `//evil.example/` (a valid request target, and a Referer's path)
/// would send a browser to another host, so leading slashes are folded into one.
fn local(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

fn with_query(path: &str, query: &str, fragment: Option<&str>) -> String {
    let mut out = local(path);
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn read_flash(request: &Request<Body>, cookie: FlashCookie) -> Option<Flash> {
    let prefix = format!("{}=", cookie.name());
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(prefix.as_str()).map(str::to_owned))
        .and_then(|value| URL_SAFE_NO_PAD.decode(value).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
}

/// Moves flash parameters out of a redirect's `Location` into a cookie for the page it points to.
fn capture(response: &mut Response, cookie: FlashCookie) {
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return;
    };
    // Locations are absolute (a Referer) or a path; resolve both against a placeholder origin.
    let Ok(parsed) = url::Url::parse("http://flash.invalid").and_then(|base| base.join(&location))
    else {
        return;
    };
    let Some(query) = parsed.query() else {
        return;
    };
    let (params, rest) = split_query(query);
    if params.is_empty() {
        return;
    }
    let clean = with_query(parsed.path(), &rest, parsed.fragment());
    let flash = Flash {
        path: local(parsed.path()),
        params: fit(params),
    };
    let Ok(value) = HeaderValue::from_str(&clean) else {
        return;
    };
    response.headers_mut().insert(header::LOCATION, value);
    let encoded = serde_json::to_vec(&flash)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .unwrap_or_default();
    if encoded.is_empty() || encoded.len() > MAX_FLASH_BYTES {
        tracing::warn!(
            path = %flash.path,
            bytes = encoded.len(),
            "a form error was too long to carry to the next page; the page shows no message"
        );
        return;
    }
    let set = format!("{}={encoded}; {}", cookie.name(), cookie.attributes(60));
    if let Ok(value) = HeaderValue::from_str(&set) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A very long error (hundreds of problems in a draft) is cut to what fits in a cookie: its echoed form
/// values go first, then problems from the end, so the message stays a valid, shorter error.
fn fit(params: Vec<(String, String)>) -> Vec<(String, String)> {
    let size = |p: &[(String, String)]| p.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    if size(&params) * 4 / 3 < MAX_FLASH_BYTES - 200 {
        return params;
    }
    params
        .into_iter()
        .map(|(name, value)| {
            if name != "__err" {
                return (name, value);
            }
            let shorter = base64::engine::general_purpose::URL_SAFE
                .decode(&value)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<app::error::AppError>(&bytes).ok())
                .map(|error| match error {
                    app::error::AppError::Invalid { mut errors, .. } => {
                        errors.truncate(8);
                        app::error::AppError::Invalid {
                            errors,
                            values: Vec::new(),
                        }
                    }
                    other => other,
                })
                .and_then(|error| serde_json::to_vec(&error).ok())
                .map(|json| base64::engine::general_purpose::URL_SAFE.encode(json));
            (name, shorter.unwrap_or(value))
        })
        .collect()
}

/// The middleware: drops flash parameters from incoming addresses, hands a waiting flash to the page it is
/// for, and moves flash parameters of outgoing redirects into the cookie.
pub async fn carry_flash(
    State(cookie): State<FlashCookie>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    if reads && let Some(query) = request.uri().query() {
        let (params, rest) = split_query(query);
        if !params.is_empty() {
            let clean = with_query(request.uri().path(), &rest, None);
            return Redirect::to(&clean).into_response();
        }
    }
    let mut delivered = false;
    if reads
        && let Some(flash) = read_flash(&request, cookie)
        && flash.path == request.uri().path()
    {
        let mut query =
            form_urlencoded::Serializer::new(request.uri().query().unwrap_or_default().to_owned());
        for (name, value) in flash.params.iter().filter(|(name, _)| is_flash_param(name)) {
            query.append_pair(name, value);
        }
        let target = with_query(request.uri().path(), &query.finish(), None);
        if let Ok(uri) = target.parse::<Uri>() {
            *request.uri_mut() = uri;
            delivered = true;
        }
    }
    let mut response = next.run(request).await;
    capture(&mut response, cookie);
    if delivered
        && let Ok(value) =
            HeaderValue::from_str(&format!("{}=; {}", cookie.name(), cookie.attributes(0)))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_names_another_host_is_folded_into_this_site() {
        assert_eq!(with_query("//evil.example/", "", None), "/evil.example/");
        assert_eq!(
            with_query("/\\evil.example", "a=1", None),
            "/evil.example?a=1"
        );
        assert_eq!(with_query("/sign-in", "", Some("form")), "/sign-in#form");
    }

    #[test]
    fn flash_parameters_are_separated_from_the_rest_of_a_query() {
        let (flash, rest) = split_query("next=%2Fmodules&__err=abc&__path=%2Fapi%2Fsign-in&q=x+y");
        assert_eq!(
            flash,
            [
                ("__err".to_owned(), "abc".to_owned()),
                ("__path".to_owned(), "/api/sign-in".to_owned())
            ]
        );
        assert_eq!(rest, "next=%2Fmodules&q=x+y");
    }

    #[test]
    fn a_redirect_carrying_an_error_is_cleaned_and_the_error_goes_into_the_cookie() {
        let mut response = Redirect::to(
            "http://localhost/sign-in?next=%2Fportfolio&__path=%2Fapi%2Fsign-in&__err=eyJ9#form",
        )
        .into_response();
        capture(&mut response, FlashCookie { secure: true });
        assert_eq!(
            response.headers()[header::LOCATION],
            "/sign-in?next=%2Fportfolio#form"
        );
        let set = response.headers()[header::SET_COOKIE]
            .to_str()
            .expect("ascii");
        assert!(set.starts_with("__Host-academy_flash="), "{set}");
        assert!(set.contains("HttpOnly") && set.contains("Secure") && set.contains("Max-Age=60"));
    }
}
