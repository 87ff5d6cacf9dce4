//! Deep Linking 2.0: a course's teacher in the VLE picks academy content, and the VLE receives a link to it
//! signed by the tool's published key. Refusals for people who do not teach, requests the academy cannot
//! answer, picks it cannot send, and tickets used or lapsed.

use super::*;
use app::ssr::entities::lti_deep_link;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

const DEEP_LINKING: &str = "http://localhost/lti/deep-link";
const RETURN_URL: &str = "https://courses.example.ac.uk/deep-link/return?course=3";
const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";

/// The claims of a good deep linking request from a teacher, with the nonce of its login.
fn request_claims(launch: &Launch, login: &Login, settings: Value) -> Value {
    let mut claims = launch
        .platform
        .launch_claims("teacher-1", &login.nonce, DEEP_LINKING);
    let object = claims.as_object_mut().expect("claims");
    object.remove(&format!("{LTI}resource_link"));
    object.insert(format!("{LTI}message_type"), json!("LtiDeepLinkingRequest"));
    object.insert(format!("{LTI}roles"), json!([INSTRUCTOR]));
    object.insert(
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings".to_owned(),
        settings,
    );
    claims
}

fn settings(accept_multiple: bool) -> Value {
    json!({
        "deep_link_return_url": RETURN_URL,
        "accept_types": ["link", "ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": accept_multiple,
        "title": "Add to Week 3",
        "data": "opaque-csrf-token-from-the-platform",
    })
}

impl Launch {
    /// A deep linking request shown in the VLE's frame, with `change` applied to the claims before signing.
    async fn request(&mut self, settings: Value, change: impl FnOnce(&mut Value)) -> Page {
        let login = self.login(DEEP_LINKING).await;
        let mut claims = request_claims(self, &login, settings);
        change(&mut claims);
        let token = self.platform.sign(&claims, Key::First, &Key::First.kid());
        self.post(&login, &token, &[("sec-fetch-dest", "iframe")])
            .await
    }

    /// Posts the picker's form from this site.
    async fn pick(&mut self, ticket: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("ticket", ticket)];
        all.extend_from_slice(fields);
        self.browser
            .post_form("/lti/deep-link", "/lti/launch", &all)
            .await
    }
}

/// The value of the hidden field `name` in a page.
fn hidden(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.body
        .split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a {name} field in {}", page.body))
        .to_owned()
}

/// The signed answer's claims, checked against the tool's published keyset as a VLE checks them.
async fn verified_answer(launch: &mut Launch, jwt: &str) -> Value {
    let keyset: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&launch.browser.get("/lti/jwks.json").await.body).expect("a keyset");
    let header = jsonwebtoken::decode_header(jwt).expect("a JWT");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let kid = header.kid.expect("the signing key's id");
    let jwk = keyset.find(&kid).expect("the signing key is published");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[&launch.platform.issuer]);
    validation.set_issuer(&[CLIENT_ID]);
    jsonwebtoken::decode::<Value>(
        jwt,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).expect("a key"),
        &validation,
    )
    .expect("the answer verifies with the published key")
    .claims
}

const ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";

async fn a_teacher_picks_a_module_and_the_vle_receives_a_signed_link_to_it(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    let page = launch.request(settings(false), |_| {}).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    for offered in [
        "value=\"module:alpha\"",
        "value=\"module:gamma\"",
        "value=\"pathway:starter\"",
        "value=\"lesson:alpha/",
        "Add to Week 3",
        "type=\"radio\"",
    ] {
        assert!(page.body.contains(offered), "{offered} in {}", page.body);
    }
    // Framed by the VLE's sites only; nobody is signed in to the academy by it.
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
    assert!(!launch.signed_in().await);
    assert_eq!(account::Entity::find().count(db).await.expect("count"), 0);

    let ticket = hidden(&page, "ticket");
    let answer = launch
        .pick(&ticket, &[("pick", "module:alpha"), ("action", "place")])
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);
    assert!(
        answer
            .body
            .contains(&format!("action=\"{}\"", RETURN_URL.replace('&', "&amp;"))),
        "{}",
        answer.body
    );
    // The form may post only to the VLE; the one script that posts it is allowed by its hash.
    let policy = answer.headers["content-security-policy"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(
        policy.contains("form-action https://courses.example.ac.uk;"),
        "{policy}"
    );
    let script = answer
        .body
        .split("<script>")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the script that posts the answer");
    {
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
        assert!(
            policy.contains(&format!("script-src 'sha256-{hash}'")),
            "{policy}"
        );
    }

    let claims = verified_answer(&mut launch, &hidden(&answer, "JWT")).await;
    assert_eq!(
        claims[format!("{LTI}message_type")],
        "LtiDeepLinkingResponse"
    );
    assert_eq!(claims[format!("{LTI}version")], "1.3.0");
    assert_eq!(claims[format!("{LTI}deployment_id")], DEPLOYMENT_ID);
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"],
        "opaque-csrf-token-from-the-platform"
    );
    assert!(claims["nonce"].as_str().is_some_and(|n| n.len() >= 32));
    let items = claims[ITEMS].as_array().expect("content items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "ltiResourceLink");
    assert_eq!(items[0]["title"], "Alpha module");
    assert_eq!(items[0]["url"], "http://localhost/modules/alpha");
    assert_eq!(items[0]["lineItem"]["scoreMaximum"], 100);
    assert_eq!(items[0]["lineItem"]["resourceId"], "module:alpha");

    // Used once.
    let again = launch
        .pick(&ticket, &[("pick", "module:gamma"), ("action", "place")])
        .await;
    assert_eq!(again.status.as_u16(), 410, "{}", again.body);
    assert!(!again.body.contains("name=\"JWT\""));
}

async fn a_deep_linking_request_the_academy_cannot_answer_is_refused(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    /// Why it is refused, the status, the settings sent, and a change to the request's claims.
    type Case = (&'static str, u16, Value, Box<dyn FnOnce(&mut Value)>);
    let cases: Vec<Case> = vec![
        (
            "from a learner",
            403,
            settings(false),
            Box::new(|c: &mut Value| {
                c[format!("{LTI}roles")] =
                    json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]);
            }),
        ),
        (
            "with no settings",
            401,
            settings(false),
            Box::new(|c: &mut Value| {
                c.as_object_mut()
                    .expect("claims")
                    .remove("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings");
            }),
        ),
        (
            "taking no resource links",
            400,
            json!({ "deep_link_return_url": RETURN_URL, "accept_types": ["file"],
                    "accept_presentation_document_targets": ["window"] }),
            Box::new(|_: &mut Value| {}),
        ),
        (
            "returning to a script",
            401,
            json!({ "deep_link_return_url": "javascript:alert(1)", "accept_types": ["ltiResourceLink"],
                    "accept_presentation_document_targets": ["window"] }),
            Box::new(|_: &mut Value| {}),
        ),
        (
            "for an unregistered deployment",
            400,
            settings(false),
            Box::new(|c: &mut Value| {
                c[format!("{LTI}deployment_id")] = json!("deployment-9");
            }),
        ),
    ];
    for (why, status, settings, change) in cases {
        let page = launch.request(settings, change).await;
        assert_eq!(page.status.as_u16(), status, "{why}: {}", page.body);
        assert!(!page.body.contains("name=\"ticket\""), "{why}");
    }
    assert_eq!(
        lti_deep_link::Entity::find()
            .count(db)
            .await
            .expect("count"),
        0,
        "no request is kept"
    );
}

async fn picks_that_cannot_be_sent_show_the_picker_again_and_the_request_waits(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    let page = launch.request(settings(false), |_| {}).await;
    let ticket = hidden(&page, "ticket");
    for (fields, says) in [
        (
            vec![("pick", "module:alpha"), ("pick", "module:gamma")],
            "one item",
        ),
        (
            vec![("pick", "module:no-such-module")],
            "not in the catalogue",
        ),
        (vec![("pick", "page:/admin")], "not in the catalogue"),
        (vec![], "Pick something"),
    ] {
        let mut all = fields.clone();
        all.push(("action", "place"));
        let shown = launch.pick(&ticket, &all).await;
        assert_eq!(shown.status.as_u16(), 422, "{fields:?}: {}", shown.body);
        assert!(shown.body.contains(says), "{says} in {}", shown.body);
        assert!(shown.body.contains("role=\"alert\""));
        assert_eq!(hidden(&shown, "ticket"), ticket, "the same request waits");
    }
    // Cancelling sends the VLE an answer placing nothing, as the specification asks.
    let cancelled = launch
        .pick(&ticket, &[("pick", "module:alpha"), ("action", "cancel")])
        .await;
    assert_eq!(cancelled.status.as_u16(), 200, "{}", cancelled.body);
    let claims = verified_answer(&mut launch, &hidden(&cancelled, "JWT")).await;
    assert_eq!(claims[ITEMS], json!([]));
}

async fn where_the_vle_takes_several_items_a_teacher_picks_several(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    let mut several = settings(true);
    // A VLE that makes no gradebook columns from links gets none asked of it.
    several["accept_lineitem"] = json!(false);
    let page = launch.request(several, |_| {}).await;
    assert!(page.body.contains("type=\"checkbox\""), "{}", page.body);
    let lesson = format!(
        "lesson:alpha/{}",
        page.body
            .split("value=\"lesson:alpha/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a lesson of alpha")
    );
    let answer = launch
        .pick(
            &hidden(&page, "ticket"),
            &[
                ("pick", "pathway:starter"),
                ("pick", "module:alpha"),
                ("pick", &lesson),
                ("action", "place"),
            ],
        )
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);
    let claims = verified_answer(&mut launch, &hidden(&answer, "JWT")).await;
    let items = claims[ITEMS].as_array().expect("items");
    let urls: Vec<&str> = items.iter().filter_map(|i| i["url"].as_str()).collect();
    assert_eq!(
        urls,
        [
            "http://localhost/pathways/starter".to_owned(),
            "http://localhost/modules/alpha".to_owned(),
            format!(
                "http://localhost/modules/alpha/lessons/{}",
                lesson.trim_start_matches("lesson:alpha/")
            ),
        ]
    );
    assert!(items.iter().all(|i| i.get("lineItem").is_none()));
    // The course the request came from now has the module placed (a lesson places its module; a pathway
    // places none), which its roster's cohort will take; the picker signed nobody in, so no one teaches it.
    let course = app::ssr::entities::lti_course::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("the course is remembered");
    assert_eq!(course.title, "Informatics for clinicians");
    let placed: Vec<String> = app::ssr::entities::lti_course_module::Entity::find()
        .filter(app::ssr::entities::lti_course_module::Column::CourseId.eq(course.id))
        .all(db)
        .await
        .expect("query")
        .into_iter()
        .map(|m| m.module_slug)
        .collect();
    assert_eq!(placed, ["alpha"]);
    assert_eq!(
        app::ssr::entities::lti_course_teacher::Entity::find()
            .count(db)
            .await
            .expect("count"),
        0
    );
}

async fn a_picker_left_over_an_hour_or_posted_from_another_site_sends_nothing(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    let page = launch.request(settings(false), |_| {}).await;
    let ticket = hidden(&page, "ticket");
    let forged = launch
        .browser
        .post_form_with(
            "/lti/deep-link",
            "/",
            &[("ticket", &ticket), ("pick", "module:alpha")],
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(forged.status.as_u16(), 403);
    let waiting = lti_deep_link::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("the request still waits");
    let mut lapsed: lti_deep_link::ActiveModel = waiting.into();
    lapsed.created_at = Set(chrono::Utc::now() - chrono::Duration::minutes(61));
    lapsed.update(db).await.expect("backdated");
    let late = launch
        .pick(&ticket, &[("pick", "module:alpha"), ("action", "place")])
        .await;
    assert_eq!(late.status.as_u16(), 410, "{}", late.body);
    assert!(!late.body.contains("name=\"JWT\""));
    // The address given to VLEs, opened directly, says what it is for.
    let about = launch.browser.get("/lti/deep-link").await;
    assert_eq!(about.status.as_u16(), 200);
    assert!(about.body.contains("content selection address"));
}

on_both_databases!(
    a_teacher_picks_a_module_and_the_vle_receives_a_signed_link_to_it,
    a_deep_linking_request_the_academy_cannot_answer_is_refused,
    picks_that_cannot_be_sent_show_the_picker_again_and_the_request_waits,
    where_the_vle_takes_several_items_a_teacher_picks_several,
    a_picker_left_over_an_hour_or_posted_from_another_site_sends_nothing,
);
