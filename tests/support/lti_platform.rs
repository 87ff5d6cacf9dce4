//! A pretend LTI 1.3 platform for the launch checks: it publishes a JWK Set over HTTP (so the academy fetches
//! and caches keys as it would from Moodle) and signs launch ID tokens with the test keys in
//! `tests/fixtures/lti`, whatever claims a test asks for, so each check can be shown to refuse.
//!
//! It also keeps a gradebook as Assignment and Grade Services 2.0 describes: a token endpoint that checks the
//! tool's signed client assertion against the tool's public key, line items to list and make, and scores
//! posted to them, each answered as a test asks (down, refusing) so retries and parking can be shown.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One of the two test keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    First,
    Second,
}

impl Key {
    fn file(self) -> &'static str {
        match self {
            Key::First => "1",
            Key::Second => "2",
        }
    }

    pub fn kid(self) -> String {
        format!("test-platform-key-{}", self.file())
    }

    fn jwk(self) -> Value {
        let path = crate::fixtures().join(format!("lti/platform-jwk-{}.json", self.file()));
        serde_json::from_str(&std::fs::read_to_string(path).expect("the test JWK")).expect("JSON")
    }

    fn encoding_key(self) -> EncodingKey {
        let path = crate::fixtures().join(format!("lti/platform-key-{}.der", self.file()));
        EncodingKey::from_rsa_der(&std::fs::read(path).expect("the test key"))
    }
}

/// The client id and deployment the academy is registered with at the pretend platform.
pub const CLIENT_ID: &str = "academy-tool";
pub const DEPLOYMENT_ID: &str = "deployment-1";

/// What the pretend platform's gradebook holds and how it answers.
#[derive(Default)]
pub struct Gradebook {
    /// The tool's public key, which client assertions must verify with.
    pub tool_key: Option<Value>,
    /// Access tokens handed out, in order.
    pub tokens: Vec<String>,
    /// The scope each token was asked for.
    pub scopes_asked: Vec<String>,
    /// Seconds each access token lasts.
    pub token_lifetime: i64,
    /// Line items, as made (their `id` is their address).
    pub line_items: Vec<Value>,
    /// Scores received: the line item's number and the score.
    pub scores: Vec<(usize, Value)>,
    /// The status scores are answered with (200 unless a test says otherwise).
    pub score_status: Option<u16>,
    /// Requests refused for a missing or unknown access token.
    pub refused_tokens: usize,
    /// The course roster's members (Names and Role Provisioning), served a page at a time.
    pub roster: Vec<Value>,
    /// Members per roster page (all on one page when 0).
    pub roster_page_size: usize,
    /// The course the roster says it is for (`course-1` unless a test says otherwise).
    pub roster_context: Option<String>,
    /// The status roster pages are answered with (200 unless a test says otherwise).
    pub roster_status: Option<u16>,
    /// Roster pages served.
    pub roster_pages: usize,
    /// A roster page (counted from 0) that fails with 500, as a VLE falling over mid-roster.
    pub roster_failing_page: Option<usize>,
}

/// The course every launch comes from, unless a test says otherwise.
pub const COURSE_ID: &str = "course-1";
/// The Names and Role Provisioning scope a roster's token must carry.
pub const MEMBERSHIP_SCOPE: &str =
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// A running pretend platform.
pub struct TestPlatform {
    /// `http://127.0.0.1:<port>`.
    pub issuer: String,
    published: Arc<Mutex<Vec<Key>>>,
    /// The gradebook, for tests to read and to set its answers.
    pub gradebook: Arc<Mutex<Gradebook>>,
    server: tokio::task::JoinHandle<()>,
}

type Shared = (String, Arc<Mutex<Gradebook>>);

fn bearer_ok(book: &mut Gradebook, headers: &HeaderMap) -> bool {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let ok = token.is_some_and(|t| book.tokens.iter().any(|known| known == t));
    if !ok {
        book.refused_tokens += 1;
    }
    ok
}

/// `POST /token`: client credentials with a JWT assertion signed by the tool (1EdTech Security Framework).
async fn token(
    State((issuer, book)): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut book = book.lock().expect("the gradebook");
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": "invalid_client", "error_description": why })),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials")
        || form.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return refuse("grant");
    }
    let Some(jwk) = book.tool_key.clone() else {
        return refuse("no tool key registered");
    };
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk).expect("a JWK");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.set_audience(&[format!("{issuer}/token")]);
    validation.set_issuer(&[CLIENT_ID]);
    validation.sub = Some(CLIENT_ID.to_owned());
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub", "jti"]);
    let checked = jsonwebtoken::decode::<Value>(
        form.get("client_assertion").map_or("", String::as_str),
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("a key"),
        &validation,
    );
    if checked.is_err() {
        return refuse("assertion");
    }
    let token = format!("token-{}", book.tokens.len() + 1);
    book.tokens.push(token.clone());
    let asked = form.get("scope").cloned().unwrap_or_default();
    book.scopes_asked.push(asked);
    let lifetime = if book.token_lifetime > 0 {
        book.token_lifetime
    } else {
        3600
    };
    axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": form.get("scope").cloned().unwrap_or_default(),
    }))
    .into_response()
}

/// `GET /nrps/memberships`: the course's roster, a page at a time with `Link: <…>; rel="next"`, for a token
/// granted the membership scope.
async fn memberships(
    State((issuer, book)): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut book = book.lock().expect("the gradebook");
    if !bearer_ok(&mut book, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let granted = book
        .tokens
        .iter()
        .position(|t| t == token)
        .and_then(|n| book.scopes_asked.get(n))
        .is_some_and(|scope| scope.split_whitespace().any(|s| s == MEMBERSHIP_SCOPE));
    if !granted {
        return StatusCode::FORBIDDEN.into_response();
    }
    assert_eq!(
        headers.get("accept").and_then(|v| v.to_str().ok()),
        Some("application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
    );
    if let Some(status) = book.roster_status {
        return StatusCode::from_u16(status)
            .expect("a status")
            .into_response();
    }
    book.roster_pages += 1;
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    if book.roster_failing_page == Some(page) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let size = if book.roster_page_size == 0 {
        book.roster.len().max(1)
    } else {
        book.roster_page_size
    };
    let members: Vec<Value> = book
        .roster
        .iter()
        .skip(page * size)
        .take(size)
        .cloned()
        .collect();
    let context = book
        .roster_context
        .clone()
        .unwrap_or_else(|| COURSE_ID.to_owned());
    let mut answer = axum::Json(json!({
        "id": format!("{issuer}/nrps/memberships"),
        "context": { "id": context, "title": "Informatics for clinicians" },
        "members": members,
    }))
    .into_response();
    if (page + 1) * size < book.roster.len() {
        answer.headers_mut().insert(
            "link",
            format!(
                "<{issuer}/nrps/memberships?page={}>; rel=\"next\"",
                page + 1
            )
            .parse()
            .expect("a header"),
        );
    }
    answer.headers_mut().insert(
        "content-type",
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
            .parse()
            .expect("a header"),
    );
    answer
}

/// `GET /lineitems`: the course's line items, filtered as AGS allows.
async fn line_items(
    State((_, book)): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut book = book.lock().expect("the gradebook");
    if !bearer_ok(&mut book, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let items: Vec<Value> = book
        .line_items
        .iter()
        .filter(|item| {
            query
                .get("resource_id")
                .is_none_or(|r| item["resourceId"] == json!(r))
                && query
                    .get("resource_link_id")
                    .is_none_or(|r| item["resourceLinkId"] == json!(r))
        })
        .cloned()
        .collect();
    axum::Json(items).into_response()
}

/// `POST /lineitems`: makes a line item.
async fn make_line_item(
    State((issuer, book)): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut book = book.lock().expect("the gradebook");
    if !bearer_ok(&mut book, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut item: Value = serde_json::from_str(&body).expect("a line item");
    item["id"] = json!(format!("{issuer}/lineitems/{}", book.line_items.len() + 1));
    book.line_items.push(item.clone());
    (StatusCode::CREATED, axum::Json(item)).into_response()
}

/// `POST /lineitems/{n}/scores`: takes a score (or answers as the test set).
async fn score(
    State((_, book)): State<Shared>,
    headers: HeaderMap,
    Path(n): Path<usize>,
    body: String,
) -> Response {
    let mut book = book.lock().expect("the gradebook");
    if !bearer_ok(&mut book, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/vnd.ims.lis.v1.score+json")
    );
    let status = book.score_status.unwrap_or(200);
    if status == 200 {
        book.scores
            .push((n, serde_json::from_str(&body).expect("a score")));
    }
    StatusCode::from_u16(status)
        .expect("a status")
        .into_response()
}

impl TestPlatform {
    /// Starts one publishing the first key.
    pub async fn start() -> TestPlatform {
        let published = Arc::new(Mutex::new(vec![Key::First]));
        let keys = published.clone();
        let gradebook = Arc::new(Mutex::new(Gradebook::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let issuer = format!("http://{}", listener.local_addr().expect("its address"));
        let app = Router::new()
            .route(
                "/jwks",
                get(move || {
                    let keys = keys.lock().expect("the published keys").clone();
                    async move {
                        axum::Json(
                            json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() }),
                        )
                    }
                }),
            )
            .route("/token", post(token))
            .route("/nrps/memberships", get(memberships))
            .route("/lineitems", get(line_items).post(make_line_item))
            .route("/lineitems/{n}/scores", post(score))
            .with_state((issuer.clone(), gradebook.clone()));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestPlatform {
            issuer,
            published,
            gradebook,
            server,
        }
    }

    /// Publishes these keys from now on (a rotation).
    pub fn publish(&self, keys: &[Key]) {
        *self.published.lock().expect("the published keys") = keys.to_vec();
    }

    /// A launch ID token with `claims`, signed by `signer` and naming `kid` in its header.
    pub fn sign(&self, claims: &Value, signer: Key, kid: &str) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &signer.encoding_key()).expect("signed")
    }

    /// The claims of a good resource link launch for `sub`, with the nonce and target of its login.
    pub fn launch_claims(&self, sub: &str, nonce: &str, target: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "name": "Rosa Launch",
            "email": format!("{sub}@student.example.ac.uk"),
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT_ID,
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": target,
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": { "id": "activity-7", "title": "Week 3: PRINCE2" },
            "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            "https://purl.imsglobal.org/spec/lti/claim/context": { "id": COURSE_ID, "label": "INF101", "title": "Informatics for clinicians" },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": format!("{}/nrps/memberships", self.issuer),
                "service_versions": ["2.0"],
            },
        })
    }
}

impl Drop for TestPlatform {
    fn drop(&mut self) {
        self.server.abort();
    }
}
