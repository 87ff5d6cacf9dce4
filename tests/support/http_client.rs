//! Drives the real router in-process, the way a browser without JavaScript would: form posts with
//! `Accept: text/html` and a `Referer`, keeping the cookies the server sets (the session, a form's error).

use app::ssr::state::AppState;
use axum::Router;
use axum::body::Body;
use http::{Request, Response, StatusCode, header};
use sea_orm::DatabaseConnection;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// A browser-like client with a cookie jar.
pub struct Browser {
    router: Router,
    cookies: std::collections::BTreeMap<String, String>,
}

/// A download: its status, caching header and bytes.
pub struct Download {
    pub status: StatusCode,
    pub cache_control: Option<String>,
    pub bytes: Vec<u8>,
}

impl Download {
    /// The text of the file `name` in a zip download (the data export, a module's export).
    pub fn zip_entry(&self, name: &str) -> String {
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(self.bytes.as_slice())).expect("a zip");
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut archive
                .by_name(name)
                .unwrap_or_else(|_| panic!("{name} in the zip")),
            &mut text,
        )
        .expect("text");
        text
    }
}

/// A response with its body read.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub headers: http::HeaderMap,
}

/// Loads `content`, publishes it into `db`, and builds the production router around it.
pub async fn app_for(db: &DatabaseConnection, content: &Path) -> Router {
    server::router::build_router(state_for(db, content).await, false)
}

/// Loads `content`, publishes it into `db`, and returns the state a server instance would serve.
pub async fn state_for(db: &DatabaseConnection, content: &Path) -> AppState {
    let (library, _) = crate::load_and_publish(db, content).await;
    AppState {
        writes: app::ssr::group_commit::Writes::for_database(db),
        review: app::ssr::content::ReviewPolicy::default(),
        db: db.clone(),
        frameworks: library.frameworks.into(),
        pathways: library.pathways.into(),
        issuer: Arc::new(crate::test_issuer(db).await),
        xapi: Arc::new(crate::local_xapi().clone()),
        public_url: url::Url::parse("http://localhost").expect("a URL"),
        sessions: app::ssr::session_store::SessionPolicy::default(),
        limits: Arc::new(app::ssr::limits::Limits::default()),
        mailer: Arc::new(crate::test_mailer()),
        identity_providers: Arc::new(
            app::ssr::services::single_sign_on::discovery::ProviderDirectory::new()
                .expect("an HTTP client for identity providers"),
        ),
        lti_platform_keys: Arc::new(
            app::ssr::services::lti::platform_keys::PlatformKeys::new()
                .expect("an HTTP client for LTI platforms"),
        ),
        lti_tool_key: Arc::new(crate::test_tool_key(db).await),
        lti_services: Arc::new(
            app::ssr::services::lti::service_access::ServiceAccess::new(false)
                .expect("an HTTP client for VLE services"),
        ),
        leptos_options: leptos::config::get_configuration(None)
            .expect("the Leptos settings cargo-leptos builds with")
            .leptos_options,
    }
}

impl Browser {
    pub fn new(router: Router) -> Self {
        Self {
            router,
            cookies: std::collections::BTreeMap::new(),
        }
    }

    async fn send(&mut self, request: Request<Body>) -> Page {
        let response: Response<Body> = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        for set_cookie in response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = set_cookie.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // An expired cookie (Max-Age=0) is the server removing it (signing out, a message shown).
            if set_cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 8 * 1024 * 1024)
            .await
            .expect("read body");
        Page {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            headers,
        }
    }

    /// The cookies held now (to replay a request later with them, as an attacker who copied them would).
    pub fn cookies(&self) -> std::collections::BTreeMap<String, String> {
        self.cookies.clone()
    }

    /// Puts back cookies taken with [`Browser::cookies`].
    pub fn restore_cookies(&mut self, cookies: std::collections::BTreeMap<String, String>) {
        self.cookies = cookies;
    }

    /// GET a page.
    pub async fn get(&mut self, path: &str) -> Page {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = self.cookie_header() {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// GET a file (a zip, say), keeping its bytes as they are.
    pub async fn get_bytes(&mut self, path: &str) -> Download {
        let mut request = Request::get(path);
        if let Some(cookie) = self.cookie_header() {
            request = request.header(header::COOKIE, cookie);
        }
        let response: Response<Body> = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("router answers");
        let status = response.status();
        let cache_control = response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
            .await
            .expect("read body")
            .to_vec();
        Download {
            status,
            cache_control,
            bytes,
        }
    }

    /// Submit a form from the page at `from`, as a browser with JavaScript off does.
    pub async fn post_form(&mut self, action: &str, from: &str, fields: &[(&str, &str)]) -> Page {
        self.post_form_with(action, from, fields, &[]).await
    }

    /// Submit a form with extra headers (for example a forged `Origin`).
    pub async fn post_form_with(
        &mut self,
        action: &str,
        from: &str,
        fields: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Page {
        let body = form_body(fields);
        let mut request = Request::post(action)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("http://localhost{from}"))
            .header(header::HOST, "localhost");
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        if let Some(cookie) = self.cookie_header() {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Call a server function the way the hydrated app does: form-encoded, answered as JSON.
    /// Opens a lesson as a browser does: the page, then the "opened" pixel the page embeds.
    pub async fn open_lesson(&mut self, module: &str, lesson: &str) -> Page {
        let page = self
            .get(&format!("/modules/{module}/lessons/{lesson}"))
            .await;
        let pixel = format!("/modules/{module}/lessons/{lesson}/opened.gif");
        assert!(page.body.contains(&pixel), "the lesson page embeds {pixel}");
        let reported = self.get_bytes(&pixel).await;
        assert!(reported.status.is_success(), "{}", reported.status);
        page
    }

    pub async fn post_json_form(&mut self, action: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_body(fields);
        let mut request = Request::post(action)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = self.cookie_header() {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// POST a raw body (for the verification endpoint).
    pub async fn post_body(&mut self, path: &str, body: &str) -> Page {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .expect("request");
        self.send(request).await
    }

    /// Arrives as a new learner does: registers through the form, follows the link in the verification
    /// email, and signs in.
    pub async fn register_verified(
        &mut self,
        db: &DatabaseConnection,
        email: &str,
        display_name: &str,
        password: &str,
    ) {
        let registered = self
            .post_form(
                "/api/register",
                "/register",
                &[
                    ("email", email),
                    ("display_name", display_name),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(
            registered.location.as_deref(),
            Some("/check-email"),
            "registration failed: {}",
            registered.body
        );
        let address = app::ssr::services::accounts::normalise_email(email);
        let link = crate::emailed_link(db, &address, "/verify-email")
            .await
            .expect("a verification email was queued");
        let token = link
            .split_once("token=")
            .map(|(_, token)| token.to_owned())
            .expect("the link carries a token");
        assert_eq!(self.get(&link).await.status, StatusCode::OK);
        let verified = self
            .post_form("/api/verify-email", &link, &[("token", &token)])
            .await;
        assert_eq!(verified.location.as_deref(), Some("/email-verified"));
        let signed_in = self
            .post_form(
                "/api/sign-in",
                "/sign-in",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::FOUND, "{}", signed_in.body);
        assert!(self.signed_in());
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Posts a multipart form with one file field, as a browser uploads a file (JavaScript off).
    pub async fn post_multipart(
        &mut self,
        action: &str,
        from: &str,
        field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Page {
        let boundary = "academy-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = Request::post(action)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, format!("http://localhost{from}"));
        if let Some(cookie) = self.cookie_header() {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// A parameter the last failed form left waiting in the flash cookie (`__err`, `import_error`).
    pub fn flash_value(&self, name: &str) -> Option<String> {
        use base64::Engine;
        let value = self.cookies.get("academy_flash")?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value)
            .ok()?;
        let flash: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        flash["params"].as_array()?.iter().find_map(|pair| {
            (pair[0].as_str() == Some(name)).then(|| pair[1].as_str().map(str::to_owned))?
        })
    }

    /// Whether the browser holds a session cookie.
    pub fn signed_in(&self) -> bool {
        self.cookies.contains_key("academy_session")
    }

    /// Whether the last failed form left its error waiting, in the flash cookie, for the page it returns to.
    pub fn carries_form_error(&self) -> bool {
        self.cookies.contains_key("academy_flash")
    }
}

/// A form's fields as `application/x-www-form-urlencoded`, as a browser sends them.
fn form_body(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}
