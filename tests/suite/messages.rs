//! No page shows text taken from its address: form errors travel in a cookie only this site can set, and
//! sign-in redirects stay on this site. Through the real router, on both databases.

use academy_tests::fixtures;
use academy_tests::http_client::{Browser, app_for};
use academy_tests::on_both_databases;
use app::error::AppError;
use base64::Engine;
use sea_orm::DatabaseConnection;

/// The `__err` value Leptos would put in an address for `error`.
fn encoded(error: &AppError) -> String {
    let json = serde_json::to_vec(error).expect("json");
    base64::engine::general_purpose::URL_SAFE.encode(json)
}

async fn an_error_planted_in_a_link_is_never_shown(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let planted = encoded(&AppError::Conflict(
        "Your account is locked. Call 0800 000 0000 with your password.".to_owned(),
    ));
    let link = format!("/sign-in?next=%2Fportfolio&__path=%2Fapi%2Fsign-in&__err={planted}");
    let landed = browser.get(&link).await;
    assert_eq!(landed.status, 303, "{}", landed.body);
    assert_eq!(
        landed.location.as_deref(),
        Some("/sign-in?next=%2Fportfolio")
    );
    let page = browser.get("/sign-in?next=%2Fportfolio").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("0800 000 0000"), "planted text shown");

    // A path naming another host is folded into this site, never followed off it.
    let elsewhere = browser.get("//evil.example/?__err=x").await;
    assert_eq!(elsewhere.status, 303);
    let location = elsewhere.location.unwrap_or_default();
    assert!(
        location.starts_with('/') && !location.starts_with("//"),
        "redirected off site: {location}"
    );

    let import = browser
        .get("/author?import_error=Your+draft+was+deleted.+Call+0800+000+0000")
        .await;
    assert_eq!(import.status, 303);
    assert_eq!(import.location.as_deref(), Some("/author"));
}

async fn a_real_form_error_is_shown_once_on_the_page_it_returns_to(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let failed = browser
        .post_form(
            "/api/sign-in",
            "/sign-in?next=%2Fportfolio",
            &[
                ("email", "nobody@example.org"),
                ("password", "wrong password"),
            ],
        )
        .await;
    assert_eq!(
        failed.location.as_deref(),
        Some("/sign-in?next=%2Fportfolio")
    );
    // Another page first: the message waits for the page it belongs to.
    let elsewhere = browser.get("/").await;
    assert!(!elsewhere.body.contains("password is incorrect"));
    let shown = browser.get("/sign-in?next=%2Fportfolio").await;
    assert!(
        shown
            .body
            .contains("The email address or password is incorrect.")
    );
    let again = browser.get("/sign-in?next=%2Fportfolio").await;
    assert!(
        !again.body.contains("password is incorrect"),
        "a reload no longer shows it"
    );
}

async fn sign_in_redirects_stay_on_this_site(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(
            db,
            "redirect@example.org",
            "Dr Redirect",
            "a long enough passphrase",
        )
        .await;
    for hostile in [
        "/\t/evil.example",
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "/\u{1}",
        "/\r\nSet-Cookie: x=1",
    ] {
        browser.post_form("/api/sign-out", "/", &[]).await;
        let signed_in = browser
            .post_form(
                "/api/sign-in",
                "/sign-in",
                &[
                    ("email", "redirect@example.org"),
                    ("password", "a long enough passphrase"),
                    ("next", hostile),
                ],
            )
            .await;
        assert_eq!(signed_in.status, 302, "{hostile:?}: {}", signed_in.body);
        assert_eq!(
            signed_in.location.as_deref(),
            Some("/dashboard"),
            "{hostile:?}"
        );
    }
}

/// The error a server function answered with, and its status.
fn answered(page: &academy_tests::http_client::Page) -> (u16, AppError) {
    let error = serde_json::from_str(&page.body)
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {} {}", page.status, page.body));
    (page.status.as_u16(), error)
}

async fn server_function_errors_keep_their_status(db: &DatabaseConnection) {
    let mut anonymous = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let (status, error) = answered(&anonymous.post_json_form("/api/my-learning", &[]).await);
    assert_eq!((status, error), (401, AppError::SignInRequired));

    let (status, error) = answered(
        &anonymous
            .post_json_form("/api/module", &[("slug", "no-such-module")])
            .await,
    );
    assert_eq!(status, 404);
    assert!(matches!(error, AppError::NotFound(_)));

    let (status, error) = answered(
        &anonymous
            .post_json_form(
                "/api/register",
                &[
                    ("email", "not an address"),
                    ("display_name", "Dr Typo"),
                    ("password", "a long enough passphrase"),
                ],
            )
            .await,
    );
    assert_eq!(status, 422);
    assert!(matches!(error, AppError::Invalid { .. }), "{error:?}");

    let mut learner = Browser::new(app_for(db, &fixtures().join("valid")).await);
    learner
        .register_verified(
            db,
            "status@example.org",
            "Dr Status",
            "statuses all the way",
        )
        .await;
    let (status, error) = answered(&learner.post_json_form("/api/outbox", &[]).await);
    assert_eq!((status, error), (403, AppError::Forbidden), "admins only");

    let (status, error) = answered(
        &learner
            .post_json_form(
                "/api/submit-quiz",
                &[
                    ("module", "gamma"),
                    ("scope", "assessment"),
                    ("answers[final-1][choice]", "not a number"),
                ],
            )
            .await,
    );
    assert_eq!(status, 422);
    assert!(matches!(error, AppError::BadRequest(_)), "{error:?}");

    let attempt = [
        ("module", "gamma"),
        ("scope", "assessment"),
        ("answers[final-1][choice]", "1"),
    ];
    let first = learner.post_json_form("/api/submit-quiz", &attempt).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let (status, error) = answered(&learner.post_json_form("/api/submit-quiz", &attempt).await);
    assert_eq!(status, 409, "the cooldown");
    assert!(matches!(error, AppError::Conflict(_)), "{error:?}");

    // Without JavaScript the same error still sends the browser back to the form, which shows it.
    let refused = learner
        .post_form("/api/submit-quiz", "/modules/gamma/assessment", &attempt)
        .await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    assert_eq!(
        refused.location.as_deref(),
        Some("/modules/gamma/assessment")
    );
}

on_both_databases!(
    an_error_planted_in_a_link_is_never_shown,
    server_function_errors_keep_their_status,
    a_real_form_error_is_shown_once_on_the_page_it_returns_to,
    sign_in_redirects_stay_on_this_site,
);
