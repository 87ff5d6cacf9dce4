//! LTI client-side platform storage: where the browser keeps the academy's cookies out of the VLE's frame,
//! the VLE's page keeps the launch's state instead. The pages that ask it (by postMessage) are checked here
//! for what they carry and allow; the browser journey (tests/e2e/vle_frame.test.mjs) runs their scripts in
//! Chromium inside a VLE's frame.

use super::*;
use app::ssr::entities::lti_login;

/// The value of the data attribute `name` on the storage element.
fn data(page: &Page, name: &str) -> String {
    let marker = format!("data-{name}=\"");
    page.body
        .split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("data-{name} in {}", page.body))
        .replace("&amp;", "&")
}

fn script_hash_allowed(page: &Page) {
    use base64::Engine;
    use sha2::Digest;
    let script = page
        .body
        .split("<script>")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the page's script");
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    let policy = page.headers["content-security-policy"]
        .to_str()
        .expect("text");
    assert!(
        policy.contains(&format!("script-src 'sha256-{hash}'")),
        "{policy}"
    );
}

impl Launch {
    /// A login initiation naming the VLE's storage frame: the page that asks the VLE to keep the state.
    async fn login_with_storage(&mut self, target: &str) -> (Page, Login) {
        let path = format!(
            "/lti/login?iss={}&login_hint=hint-1&target_link_uri={}&client_id={CLIENT_ID}&lti_storage_target=_parent",
            urlencode(&self.platform.issuer),
            urlencode(target)
        );
        let page = self.browser.get(&path).await;
        assert_eq!(page.status.as_u16(), 200, "{}", page.body);
        let next = data(&page, "next");
        assert!(
            next.starts_with(&format!("{}/auth?", self.platform.issuer)),
            "{next}"
        );
        let query = query_of(&next);
        assert_eq!(query["lti_storage_target"], "_parent");
        let login = Login {
            state: query["state"].clone(),
            nonce: query["nonce"].clone(),
        };
        (page, login)
    }
}

async fn where_the_vle_keeps_the_state_a_launch_without_its_cookie_still_opens(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    let (page, login) = launch.login_with_storage(TARGET).await;
    // The page asks the VLE's page (at the platform's authorization origin) to keep this state.
    assert_eq!(data(&page, "target"), "_parent");
    assert_eq!(data(&page, "origin"), launch.platform.issuer);
    assert_eq!(data(&page, "state"), login.state);
    script_hash_allowed(&page);
    assert!(
        page.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.starts_with("academy_lti_"))),
        "the cookie is still set, for browsers that keep it"
    );

    // The launch comes back without the cookie (the browser kept it out of the frame).
    let claims = launch
        .platform
        .launch_claims("learner-s", &login.nonce, TARGET);
    let token = launch.platform.sign(&claims, Key::First, &Key::First.kid());
    let mut framed = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let origin = launch.platform.issuer.clone();
    let check = framed
        .post_form_with(
            "/lti/launch",
            "/",
            &[
                ("id_token", &token),
                ("state", &login.state),
                ("lti_storage_target", "_parent"),
            ],
            &[
                ("origin", origin.as_str()),
                ("sec-fetch-site", "cross-site"),
                ("sec-fetch-dest", "iframe"),
            ],
        )
        .await;
    assert_eq!(check.status.as_u16(), 200, "{}", check.body);
    assert_eq!(data(&check, "state"), login.state);
    assert_eq!(data(&check, "origin"), launch.platform.issuer);
    assert!(check.body.contains("action=\"/lti/launch/storage\""));
    script_hash_allowed(&check);
    assert_eq!(
        lti_login::Entity::find().count(db).await.expect("count"),
        1,
        "the state is not used up before the VLE's page vouches for it"
    );

    // Another site cannot post the checked launch; this site's page can, once.
    let forged = framed
        .post_form_with(
            "/lti/launch/storage",
            "/",
            &[("id_token", &token), ("state", &login.state)],
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(forged.status.as_u16(), 403);
    let opened = framed
        .post_form_with(
            "/lti/launch/storage",
            "/lti/launch",
            &[("id_token", &token), ("state", &login.state)],
            &[("sec-fetch-dest", "iframe")],
        )
        .await;
    assert_eq!(opened.status.as_u16(), 200, "{}", opened.body);
    assert!(
        opened.body.contains("/lti/continue?ticket="),
        "framed: continues in a new window: {}",
        opened.body
    );
    let again = framed
        .post_form(
            "/lti/launch/storage",
            "/lti/launch",
            &[("id_token", &token), ("state", &login.state)],
        )
        .await;
    assert_eq!(again.status.as_u16(), 401, "used once: {}", again.body);
}

async fn without_the_cookie_or_a_waiting_state_the_vles_storage_is_not_asked(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    let login = launch.login(TARGET).await;
    let claims = launch
        .platform
        .launch_claims("learner-t", &login.nonce, TARGET);
    let token = launch.platform.sign(&claims, Key::First, &Key::First.kid());
    let origin = launch.platform.issuer.clone();
    for (why, state, target) in [
        ("no storage offered", login.state.as_str(), None),
        (
            "a state no login is waiting with",
            "forged-state",
            Some("_parent"),
        ),
        (
            "a frame name that is not one",
            login.state.as_str(),
            Some("x\" onload=\""),
        ),
    ] {
        let mut elsewhere = Browser::new(app_for(db, &fixtures().join("valid")).await);
        let mut fields = vec![("id_token", token.as_str()), ("state", state)];
        if let Some(target) = target {
            fields.push(("lti_storage_target", target));
        }
        let page = elsewhere
            .post_form_with(
                "/lti/launch",
                "/",
                &fields,
                &[
                    ("origin", origin.as_str()),
                    ("sec-fetch-site", "cross-site"),
                ],
            )
            .await;
        assert_eq!(page.status.as_u16(), 401, "{why}: {}", page.body);
        assert!(!page.body.contains("lti-storage"), "{why}");
    }
}

on_both_databases!(
    where_the_vle_keeps_the_state_a_launch_without_its_cookie_still_opens,
    without_the_cookie_or_a_waiting_state_the_vles_storage_is_not_asked,
);
