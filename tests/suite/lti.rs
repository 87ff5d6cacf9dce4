//! The academy as an LTI 1.3 tool: login initiation and resource link launch through the real router,
//! against a pretend platform that signs whatever a test asks (tests/support/lti_platform.rs), so every
//! check the specification requires is shown to refuse a launch that fails it.

use academy_tests::http_client::{Browser, Page, app_for};
use academy_tests::lti_platform::{CLIENT_ID, DEPLOYMENT_ID, Key, TestPlatform};
use academy_tests::{fixtures, on_both_databases};
use app::ssr::entities::{account, lti_account};
use app::ssr::services::lti::platforms::{self, PlatformSettings};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

mod deep_linking;
mod grades;
mod platform_storage;
mod rosters;

const TARGET: &str = "http://localhost/modules/alpha";

struct Launch {
    platform: TestPlatform,
    browser: Browser,
}

/// A browser's login initiation: the state and nonce the academy sent to the platform.
struct Login {
    state: String,
    nonce: String,
}

async fn registered(db: &DatabaseConnection) -> Launch {
    let platform = TestPlatform::start().await;
    platforms::register(
        db,
        None,
        &PlatformSettings {
            name: "Test University VLE".into(),
            issuer: platform.issuer.clone(),
            client_id: CLIENT_ID.into(),
            deployment_ids: DEPLOYMENT_ID.into(),
            auth_login_url: format!("{}/auth", platform.issuer),
            token_url: format!("{}/token", platform.issuer),
            jwks_url: format!("{}/jwks", platform.issuer),
        },
    )
    .await
    .expect("register the platform");
    let browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    Launch { platform, browser }
}

fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .expect("an absolute address")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Launch {
    /// Starts a launch as the platform's login initiation does, for `target`.
    async fn login(&mut self, target: &str) -> Login {
        let path = format!(
            "/lti/login?iss={}&login_hint=hint-1&target_link_uri={}&lti_message_hint=msg&client_id={CLIENT_ID}",
            urlencode(&self.platform.issuer),
            urlencode(target)
        );
        let page = self.browser.get(&path).await;
        assert_eq!(page.status.as_u16(), 303, "{}", page.body);
        let location = page.location.expect("sent on to the platform");
        assert!(
            location.starts_with(&format!("{}/auth?", self.platform.issuer)),
            "{location}"
        );
        let query = query_of(&location);
        for (name, value) in [
            ("scope", "openid"),
            ("response_type", "id_token"),
            ("response_mode", "form_post"),
            ("prompt", "none"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", "http://localhost/lti/launch"),
            ("login_hint", "hint-1"),
            ("lti_message_hint", "msg"),
        ] {
            assert_eq!(query.get(name).map(String::as_str), Some(value), "{name}");
        }
        Login {
            state: query["state"].clone(),
            nonce: query["nonce"].clone(),
        }
    }

    /// Posts the launch from the platform's page (a cross-site form post, as a browser sends it).
    async fn post(&mut self, login: &Login, id_token: &str, extra: &[(&str, &str)]) -> Page {
        let origin = self.platform.issuer.clone();
        let mut headers = vec![
            ("origin", origin.as_str()),
            ("sec-fetch-site", "cross-site"),
        ];
        headers.extend_from_slice(extra);
        self.browser
            .post_form_with(
                "/lti/launch",
                "/",
                &[("id_token", id_token), ("state", &login.state)],
                &headers,
            )
            .await
    }

    /// A whole launch for `sub`, with `change` applied to the good claims before signing.
    async fn launch_with(&mut self, sub: &str, change: impl FnOnce(&mut Value)) -> Page {
        let login = self.login(TARGET).await;
        let mut claims = self.platform.launch_claims(sub, &login.nonce, TARGET);
        change(&mut claims);
        let token = self.platform.sign(&claims, Key::First, &Key::First.kid());
        self.post(&login, &token, &[]).await
    }

    async fn signed_in(&mut self) -> bool {
        self.browser
            .post_json_form("/api/whoami", &[])
            .await
            .body
            .trim()
            != "null"
    }
}

/// The account the launches so far made (the tests that call this launch one person).
async fn launched_account(db: &DatabaseConnection) -> account::Model {
    let link = lti_account::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("a link");
    account::Entity::find_by_id(link.account_id)
        .one(db)
        .await
        .expect("query")
        .expect("the account")
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";

/// A way to break a good launch's claims, named for the failure message.
type Breakage = (&'static str, Box<dyn FnOnce(&mut Value)>);

async fn a_launch_signs_the_learner_in_and_opens_the_linked_module(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    let page = launch.launch_with("learner-1", |_| {}).await;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/modules/alpha"));
    assert!(launch.signed_in().await);
    let link = lti_account::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("a link");
    assert_eq!(link.subject, "learner-1");
    let made = account::Entity::find_by_id(link.account_id)
        .one(db)
        .await
        .expect("query")
        .expect("an account for the launch");
    assert_eq!(made.display_name, "Rosa Launch");
    // The platform's address is not proof of anything: the account gets one that receives no mail.
    assert!(made.email.ends_with("@lti.invalid"), "{}", made.email);
    assert!(made.email_verified_at.is_none());
    assert!(made.password_hash.is_empty());

    // The next launch by the same person at this platform finds the same account.
    let mut again = Launch {
        browser: Browser::new(app_for(db, &fixtures().join("valid")).await),
        platform: launch.platform,
    };
    let page = again.launch_with("learner-1", |_| {}).await;
    assert_eq!(page.location.as_deref(), Some("/modules/alpha"));
    assert_eq!(
        lti_account::Entity::find().count(db).await.expect("count"),
        1
    );
    assert_eq!(account::Entity::find().count(db).await.expect("count"), 1);
}

async fn a_launch_never_matches_nor_takes_an_address_it_sends(db: &DatabaseConnection) {
    let existing = academy_tests::account(
        db,
        "learner-2@student.example.ac.uk",
        app::api::accounts::Role::Admin,
    )
    .await;
    let mut launch = registered(db).await;
    let page = launch.launch_with("learner-2", |_| {}).await;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    let link = lti_account::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("a link");
    assert_ne!(
        link.account_id, existing.id,
        "an address in a launch proves nothing"
    );
    // Nor does a free address become the new account's: its owner could later reclaim an account the VLE
    // user still launches into.
    let page = launch.launch_with("learner-2b", |_| {}).await;
    assert_eq!(page.status.as_u16(), 303);
    let taken = account::Entity::find()
        .filter(account::Column::Email.eq("learner-2b@student.example.ac.uk"))
        .count(db)
        .await
        .expect("count");
    assert_eq!(taken, 0);
}

/// Each claim the specification makes the tool check, broken one at a time: each launch is refused.
async fn a_launch_failing_any_check_is_refused(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<Breakage> = vec![
        (
            "another issuer",
            Box::new(|c| c["iss"] = json!("https://evil.example")),
        ),
        (
            "another audience",
            Box::new(|c| c["aud"] = json!("someone-else")),
        ),
        (
            "several audiences and no authorized party",
            Box::new(|c| c["aud"] = json!([CLIENT_ID, "someone-else"])),
        ),
        (
            "an authorized party that is not the academy",
            Box::new(|c| c["azp"] = json!("someone-else")),
        ),
        ("expired", Box::new(move |c| c["exp"] = json!(now - 300))),
        (
            "issued long ago",
            Box::new(move |c| c["iat"] = json!(now - 20 * 60)),
        ),
        (
            "issued in the future",
            Box::new(move |c| c["iat"] = json!(now + 600)),
        ),
        (
            "another nonce",
            Box::new(|c| c["nonce"] = json!("not-the-nonce")),
        ),
        (
            "an unregistered deployment",
            Box::new(|c| c[format!("{LTI}deployment_id")] = json!("deployment-9")),
        ),
        (
            "another LTI version",
            Box::new(|c| c[format!("{LTI}version")] = json!("1.1")),
        ),
        (
            "another message type",
            Box::new(|c| c[format!("{LTI}message_type")] = json!("LtiSubmissionReviewRequest")),
        ),
        (
            "no resource link",
            Box::new(|c| {
                c.as_object_mut()
                    .map(|o| o.remove(&format!("{LTI}resource_link")));
            }),
        ),
        (
            "another target than the login's",
            Box::new(|c| {
                c[format!("{LTI}target_link_uri")] = json!("http://localhost/modules/beta")
            }),
        ),
        (
            "no subject",
            Box::new(|c| {
                c.as_object_mut().map(|o| o.remove("sub"));
            }),
        ),
        ("an empty subject", Box::new(|c| c["sub"] = json!(""))),
        (
            "a subject too long to be one",
            Box::new(|c| c["sub"] = json!("s".repeat(300))),
        ),
        (
            "no roles claim",
            Box::new(|c| {
                c.as_object_mut().map(|o| o.remove(&format!("{LTI}roles")));
            }),
        ),
    ];
    for (what, change) in cases {
        let page = launch.launch_with("learner-3", change).await;
        assert!(
            matches!(page.status.as_u16(), 400 | 401),
            "{what}: answered {} {}",
            page.status,
            page.body
        );
        assert!(!launch.signed_in().await, "{what}: signed in");
    }
    // And the good launch still works afterwards (nothing above was a test of something else).
    let page = launch.launch_with("learner-3", |_| {}).await;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
}

async fn a_launch_signed_by_another_key_is_refused_and_a_rotated_key_is_fetched(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    // Signed by the second key but naming the first: the signature does not verify.
    let login = launch.login(TARGET).await;
    let claims = launch
        .platform
        .launch_claims("learner-4", &login.nonce, TARGET);
    let forged = launch
        .platform
        .sign(&claims, Key::Second, &Key::First.kid());
    let page = launch.post(&login, &forged, &[]).await;
    assert_eq!(page.status.as_u16(), 401, "{}", page.body);

    // A first launch caches the platform's keys; then the platform rotates to its second key.
    assert_eq!(
        launch
            .launch_with("learner-4", |_| {})
            .await
            .status
            .as_u16(),
        303
    );
    launch.platform.publish(&[Key::Second]);
    let login = launch.login(TARGET).await;
    let claims = launch
        .platform
        .launch_claims("learner-4", &login.nonce, TARGET);
    let rotated = launch
        .platform
        .sign(&claims, Key::Second, &Key::Second.kid());
    let page = launch.post(&login, &rotated, &[]).await;
    assert_eq!(
        page.status.as_u16(),
        303,
        "the new key was fetched: {}",
        page.body
    );
}

async fn a_launch_not_signed_by_the_platforms_published_key_is_refused(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    for what in ["no key id", "HS256 with a guessable secret", "no signature"] {
        let login = launch.login(TARGET).await;
        let claims = launch
            .platform
            .launch_claims("learner-8", &login.nonce, TARGET);
        let token = match what {
            "no key id" => {
                let signed = launch.platform.sign(&claims, Key::First, "");
                // The same token with its header's kid taken out.
                let header = base64_url(&json!({ "alg": "RS256", "typ": "JWT" }));
                let rest = signed.split_once('.').map(|(_, r)| r).unwrap_or_default();
                format!("{header}.{rest}")
            }
            "HS256 with a guessable secret" => jsonwebtoken::encode(
                &jsonwebtoken::Header {
                    kid: Some(Key::First.kid()),
                    ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
                },
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(CLIENT_ID.as_bytes()),
            )
            .expect("signed"),
            _ => format!(
                "{}.{}.",
                base64_url(&json!({ "alg": "none", "kid": Key::First.kid() })),
                base64_url(&claims)
            ),
        };
        let page = launch.post(&login, &token, &[]).await;
        assert_eq!(page.status.as_u16(), 401, "{what}: {}", page.body);
        assert!(!launch.signed_in().await, "{what}");
    }
}

fn base64_url(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn a_launch_is_used_once_and_only_in_the_browser_that_started_it(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    let login = launch.login(TARGET).await;
    let claims = launch
        .platform
        .launch_claims("learner-5", &login.nonce, TARGET);
    let token = launch.platform.sign(&claims, Key::First, &Key::First.kid());

    // Posted from another browser (no state cookie): refused, and the login is not used up by it.
    let mut stranger = Launch {
        browser: Browser::new(app_for(db, &fixtures().join("valid")).await),
        platform: TestPlatform::start().await,
    };
    let page = stranger.post(&login, &token, &[]).await;
    assert_eq!(page.status.as_u16(), 401, "{}", page.body);

    // Replayed with the cookie kept (copied before the launch), the state itself is used up.
    let cookies = launch.browser.cookies();
    assert_eq!(launch.post(&login, &token, &[]).await.status.as_u16(), 303);
    launch.browser.restore_cookies(cookies);
    let page = launch.post(&login, &token, &[]).await;
    assert_eq!(page.status.as_u16(), 401, "{}", page.body);
    assert!(
        page.body.contains("expired or was already used"),
        "{}",
        page.body
    );
}

async fn a_login_for_another_site_or_an_unknown_platform_is_refused(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    let issuer = urlencode(&launch.platform.issuer);
    for (what, path) in [
        (
            "a target on another site",
            format!("/lti/login?iss={issuer}&login_hint=h&target_link_uri=https%3A%2F%2Fevil.example%2F"),
        ),
        (
            "an unknown platform",
            "/lti/login?iss=https%3A%2F%2Funknown.example&login_hint=h&target_link_uri=http%3A%2F%2Flocalhost%2F".to_owned(),
        ),
        (
            "no login hint",
            format!("/lti/login?iss={issuer}&target_link_uri=http%3A%2F%2Flocalhost%2F"),
        ),
        (
            "an unregistered deployment",
            format!("/lti/login?iss={issuer}&login_hint=h&target_link_uri=http%3A%2F%2Flocalhost%2F&lti_deployment_id=other"),
        ),
        (
            "the launch address as the target",
            format!("/lti/login?iss={issuer}&login_hint=h&target_link_uri=http%3A%2F%2Flocalhost%2Flti%2Flaunch"),
        ),
    ] {
        let page = launch.browser.get(&path).await;
        assert_eq!(page.status.as_u16(), 400, "{what}: {}", page.body);
        assert!(page.location.is_none(), "{what}: sent on");
    }
}

async fn a_launch_inside_the_vles_frame_continues_in_a_new_window(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    let login = launch.login(TARGET).await;
    let mut claims = launch
        .platform
        .launch_claims("learner-6", &login.nonce, TARGET);
    // The course page is on another host than the platform's issuer (as on Canvas and Blackboard).
    claims[format!("{LTI}launch_presentation")] = json!({
        "return_url": "https://courses.example.ac.uk/course/view.php?id=3",
        "document_target": "iframe",
    });
    let token = launch.platform.sign(&claims, Key::First, &Key::First.kid());
    let page = launch
        .post(&login, &token, &[("sec-fetch-dest", "iframe")])
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(page.body.contains("Week 3: PRINCE2"), "{}", page.body);
    // Framable by the launching VLE's sites only; every other page still refuses any frame.
    let policy = page.headers["content-security-policy"]
        .to_str()
        .expect("text");
    assert!(
        policy.contains(&format!(
            "frame-ancestors {} https://courses.example.ac.uk",
            launch.platform.issuer
        )),
        "{policy}"
    );
    assert!(!page.headers.contains_key("x-frame-options"));
    let catalogue = launch.browser.get("/").await;
    assert_eq!(catalogue.headers["x-frame-options"], "DENY");
    assert!(
        !launch.signed_in().await,
        "the frame itself is not signed in"
    );
    let link = page
        .body
        .split("href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to continue")
        .replace("&amp;", "&");
    assert!(link.starts_with("/lti/continue?ticket="), "{link}");

    // The new window asks first, naming who it signs in; only a post from this site signs in.
    let mut window = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let asked = window.get(&link).await;
    assert_eq!(asked.status.as_u16(), 200, "{}", asked.body);
    assert!(
        asked.body.contains("Continue as Rosa Launch"),
        "{}",
        asked.body
    );
    assert_eq!(
        window.post_json_form("/api/whoami", &[]).await.body.trim(),
        "null"
    );
    let ticket = link
        .split("ticket=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("the ticket")
        .to_owned();
    // Another site cannot post it for the person.
    let forged = window
        .post_form_with(
            "/lti/continue",
            "/",
            &[("ticket", &ticket)],
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(forged.status.as_u16(), 403);
    let page = window
        .post_form(
            "/lti/continue",
            "/lti/continue",
            &[("ticket", &ticket), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/dashboard"),
        "never to another site"
    );
    assert!(
        window
            .post_json_form("/api/whoami", &[])
            .await
            .body
            .contains("Rosa Launch")
    );
    let mut another = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let again = another
        .post_form("/lti/continue", "/lti/continue", &[("ticket", &ticket)])
        .await;
    assert_eq!(again.status.as_u16(), 401, "a ticket works once");
}

async fn an_erased_learners_vle_link_goes_with_the_account(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    assert_eq!(
        launch
            .launch_with("learner-9", |_| {})
            .await
            .status
            .as_u16(),
        303
    );
    let learner = launched_account(db).await;
    let download = launch.browser.get_bytes("/account/data.zip").await;
    let links = download.zip_entry("organisation_sign_ins.csv");
    assert!(
        links.contains("Test University VLE") && links.contains("learner-9"),
        "{links}"
    );
    app::ssr::services::personal_data::erase_account(
        db,
        &learner,
        &learner.email,
        Some(chrono::Utc::now()),
    )
    .await
    .expect("erased");
    assert_eq!(
        lti_account::Entity::find().count(db).await.expect("count"),
        0
    );
}

async fn an_admin_registers_a_vle_sees_the_tools_addresses_and_can_turn_it_off(
    db: &DatabaseConnection,
) {
    use app::api::accounts::Role;
    use app::error::AppError;
    let admin = academy_tests::account(db, "admin@example.org", Role::Admin).await;
    let lead = academy_tests::account(db, "lead@example.org", Role::CourseLead).await;
    let public_url = url::Url::parse("http://localhost").expect("a URL");
    let platform = TestPlatform::start().await;
    let settings = PlatformSettings {
        name: "Test University VLE".into(),
        issuer: platform.issuer.clone(),
        client_id: CLIENT_ID.into(),
        deployment_ids: format!("{DEPLOYMENT_ID}, deployment-2"),
        auth_login_url: format!("{}/auth", platform.issuer),
        token_url: format!("{}/token", platform.issuer),
        jwks_url: format!("{}/jwks", platform.issuer),
    };
    assert!(matches!(
        platforms::register_by(db, &lead, &settings).await,
        Err(AppError::Forbidden)
    ));
    let registered = platforms::register_by(db, &admin, &settings)
        .await
        .expect("registered by the admin");
    let again = platforms::register_by(db, &admin, &settings).await;
    assert!(
        again.is_err_and(|e| e.field_message("client_id").is_some()),
        "registered twice"
    );
    let listed = platforms::list(db, &admin, &public_url)
        .await
        .expect("list");
    assert_eq!(
        listed.tool.login_initiation_url,
        "http://localhost/lti/login"
    );
    assert_eq!(listed.tool.redirect_uris, ["http://localhost/lti/launch"]);
    assert_eq!(
        listed.platforms[0].deployment_ids,
        [DEPLOYMENT_ID, "deployment-2"]
    );
    assert!(matches!(
        platforms::list(db, &lead, &public_url).await,
        Err(AppError::Forbidden)
    ));

    // Turned off: its login initiations are refused.
    platforms::set_enabled(db, &admin, registered.id, false)
        .await
        .expect("turned off");
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let path = format!(
        "/lti/login?iss={}&login_hint=h&target_link_uri={}",
        urlencode(&platform.issuer),
        urlencode(TARGET)
    );
    assert_eq!(browser.get(&path).await.status.as_u16(), 400);
    platforms::set_enabled(db, &admin, registered.id, true)
        .await
        .expect("turned on");
    assert_eq!(browser.get(&path).await.status.as_u16(), 303);
}

async fn the_tools_keyset_lists_every_instances_key_which_verifies_what_it_signs(
    db: &DatabaseConnection,
) {
    use app::ssr::services::lti::tool_keys::{self, ToolKeyError};
    let first_dir = tempfile::tempdir().expect("a key folder");
    let second_dir = tempfile::tempdir().expect("another instance's key folder");
    let first = tool_keys::load_or_create(db, first_dir.path())
        .await
        .expect("made");
    let again = tool_keys::load_or_create(db, first_dir.path())
        .await
        .expect("loaded");
    assert_eq!(first.kid, again.kid, "a restart keeps its key");
    let second = tool_keys::load_or_create(db, second_dir.path())
        .await
        .expect("made");
    assert_ne!(first.kid, second.kid);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = first_dir.path().join(tool_keys::TOOL_KEY_FILE);
        let mode = std::fs::metadata(&file)
            .expect("the key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the server's user only");
    }

    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let page = browser.get("/lti/jwks.json").await;
    assert_eq!(page.status.as_u16(), 200);
    let keyset: Value = serde_json::from_str(&page.body).expect("JSON");
    let keys = keyset["keys"].as_array().expect("keys");
    // The two made here, and the test server's own.
    assert_eq!(keys.len(), 3);
    // What the first instance signs verifies with the key the keyset publishes for it.
    let published: jsonwebtoken::jwk::Jwk = serde_json::from_value(
        keys.iter()
            .find(|k| k["kid"] == json!(first.kid))
            .expect("the first key")
            .clone(),
    )
    .expect("a JWK");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(first.kid.clone());
    let signed = jsonwebtoken::encode(
        &header,
        &json!({ "sub": "x", "exp": 4_000_000_000u64 }),
        &first.encoding_key,
    )
    .expect("signed");
    let key = jsonwebtoken::DecodingKey::from_jwk(&published).expect("a key");
    jsonwebtoken::decode::<Value>(
        &signed,
        &key,
        &jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256),
    )
    .expect("verifies");

    // A damaged key file is named, not replaced.
    let damaged = tempfile::tempdir().expect("a key folder");
    std::fs::write(damaged.path().join(tool_keys::TOOL_KEY_FILE), b"not a key").expect("write");
    let refused = tool_keys::load_or_create(db, damaged.path()).await;
    assert!(matches!(refused, Err(ToolKeyError::BadKey { .. })));

    let page = browser.get("/lti/config.json").await;
    let config: Value = serde_json::from_str(&page.body).expect("JSON");
    assert_eq!(config["oidc_initiation_url"], "http://localhost/lti/login");
    assert_eq!(config["public_jwk_url"], "http://localhost/lti/jwks.json");
    assert_eq!(config["extensions"][0]["privacy_level"], "name_only");
    // The grade services, and the course roster for cohorts.
    let scopes = config["scopes"].as_array().expect("scopes");
    for scope in [
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ] {
        assert!(scopes.iter().any(|s| s == scope), "{scope} in {scopes:?}");
    }
    // Teachers add academy content from the course's link and assignment pickers (Deep Linking).
    let placements = config["extensions"][0]["settings"]["placements"]
        .as_array()
        .expect("placements");
    for name in ["link_selection", "assignment_selection"] {
        let placement = placements
            .iter()
            .find(|p| p["placement"] == name)
            .unwrap_or_else(|| panic!("a {name} placement"));
        assert_eq!(placement["message_type"], "LtiDeepLinkingRequest");
        assert_eq!(
            placement["target_link_uri"],
            "http://localhost/lti/deep-link"
        );
    }
}

async fn a_vle_learner_adds_a_real_address_after_arriving_from_the_vle(db: &DatabaseConnection) {
    use app::ssr::entities::mail_outbox;
    use app::ssr::services::email_links;
    let mut launch = registered(db).await;
    assert_eq!(
        launch
            .launch_with("learner-10", |_| {})
            .await
            .status
            .as_u16(),
        303
    );
    let learner = launched_account(db).await;
    let settings = launch.browser.get("/account").await;
    assert!(
        settings.body.contains("has no email address yet"),
        "{}",
        settings.body
    );

    // Long after arriving (a workstation left signed in): refused.
    let stale = email_links::request_email_change(
        db,
        "http://localhost",
        &learner,
        "rosa@student.example.ac.uk",
        "",
        Some(chrono::Utc::now() - chrono::Duration::hours(3)),
    )
    .await;
    assert!(stale.is_err_and(|e| e.field_message("new_email").is_some()));
    // Just arrived from the VLE: the link goes to the new address, nothing to the placeholder.
    let page = launch
        .browser
        .post_form(
            "/api/request-email-change",
            "/account",
            &[
                ("new_email", "rosa@student.example.ac.uk"),
                ("email_password", ""),
            ],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/check-email"),
        "{}",
        page.body
    );
    let to_placeholder = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(learner.email.clone()))
        .count(db)
        .await
        .expect("count");
    assert_eq!(to_placeholder, 0);
    let confirm =
        academy_tests::emailed_link(db, "rosa@student.example.ac.uk", "/confirm-email-change")
            .await
            .expect("a confirmation link");
    let token = confirm.split("token=").nth(1).expect("a token");
    email_links::confirm_email_change(db, &academy_tests::test_issuer(db).await, &[], &[], token)
        .await
        .expect("confirmed");
    let moved = account::Entity::find_by_id(learner.id)
        .one(db)
        .await
        .expect("query")
        .expect("the account");
    assert_eq!(moved.email, "rosa@student.example.ac.uk");
    assert!(
        moved.email_verified_at.is_some(),
        "now able to earn records"
    );
}

async fn launches_from_one_address_are_limited_apart_from_sign_in(db: &DatabaseConnection) {
    use app::ssr::limits::{LimitSettings, Limits};
    let platform = TestPlatform::start().await;
    let mut state = academy_tests::http_client::state_for(db, &fixtures().join("valid")).await;
    state.limits = std::sync::Arc::new(Limits::new(LimitSettings {
        launches_per_address_per_minute: 2,
        ..LimitSettings::default()
    }));
    let mut browser = Browser::new(server::router::build_router(state, false));
    let path = format!(
        "/lti/login?iss={}&login_hint=h&target_link_uri={}",
        urlencode(&platform.issuer),
        urlencode(TARGET)
    );
    // Unregistered: each answered 400 until the address is over its budget.
    for _ in 0..2 {
        assert_eq!(browser.get(&path).await.status.as_u16(), 400);
    }
    let refused = browser.get(&path).await;
    assert_eq!(refused.status.as_u16(), 429);
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(browser.get("/sign-in/sso/north").await.status.as_u16(), 429);
    // Other pages, and the password sign-in's own budget, are not touched.
    assert_eq!(browser.get("/sign-in").await.status.as_u16(), 200);
}

on_both_databases!(
    launches_from_one_address_are_limited_apart_from_sign_in,
    a_vle_learner_adds_a_real_address_after_arriving_from_the_vle,
    the_tools_keyset_lists_every_instances_key_which_verifies_what_it_signs,
    an_admin_registers_a_vle_sees_the_tools_addresses_and_can_turn_it_off,
    a_launch_signs_the_learner_in_and_opens_the_linked_module,
    a_launch_never_matches_nor_takes_an_address_it_sends,
    a_launch_not_signed_by_the_platforms_published_key_is_refused,
    an_erased_learners_vle_link_goes_with_the_account,
    a_launch_failing_any_check_is_refused,
    a_launch_signed_by_another_key_is_refused_and_a_rotated_key_is_fetched,
    a_launch_is_used_once_and_only_in_the_browser_that_started_it,
    a_login_for_another_site_or_an_unknown_platform_is_refused,
    a_launch_inside_the_vles_frame_continues_in_a_new_window,
);
