//! The learner's journey through the real router, as a browser with JavaScript off sees it: forms post to
//! server functions and are redirected back. Run on both databases.

use academy_tests::fixtures;
use academy_tests::http_client::{Browser, app_for};
use academy_tests::on_both_databases;
use sea_orm::DatabaseConnection;

async fn learner_registers_enrols_completes_a_lesson_and_sees_progress(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);

    let catalogue = browser.get("/").await;
    assert_eq!(catalogue.status, 200);
    assert!(catalogue.body.contains("Alpha module") && catalogue.body.contains("Beta module"));
    assert_eq!(catalogue.body.matches("<h1").count(), 1, "one h1 per page");

    browser
        .register_verified(
            db,
            "grace@example.org",
            "Dr Grace Hopper",
            "compilers are fun",
        )
        .await;
    assert!(browser.signed_in(), "session cookie set");

    let dashboard = browser.get("/dashboard").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Signed in as Dr Grace Hopper"));
    assert!(
        dashboard
            .body
            .contains("You have not enrolled in a module yet.")
    );

    let enrolled = browser
        .post_form("/api/enrol", "/modules/alpha", &[("module", "alpha")])
        .await;
    assert_eq!(enrolled.status, 302);
    // Back to the page the form was on (server_fn leaves an empty query where it strips error details).
    assert_eq!(
        enrolled
            .location
            .as_deref()
            .map(|l| l.trim_end_matches('?')),
        Some("http://localhost/modules/alpha")
    );

    let module = browser.get("/modules/alpha").await;
    assert!(
        module.body.contains("0 of 2 lessons complete"),
        "{}",
        module.body
    );
    assert!(
        module
            .body
            .contains("Continue where you left off: First lesson")
    );

    let lesson_path = "/modules/alpha/lessons/first";
    let lesson = browser.get(lesson_path).await;
    assert_eq!(lesson.status, 200);
    assert!(lesson.body.contains("Mark lesson complete"));
    let completed = browser
        .post_form(
            "/api/complete-lesson",
            lesson_path,
            &[("module", "alpha"), ("lesson", "first")],
        )
        .await;
    assert_eq!(completed.status, 302);
    let lesson = browser.get(lesson_path).await;
    assert!(lesson.body.contains("You have completed this lesson."));
    assert!(lesson.body.contains("1 of 2 lessons complete"));

    // Leave and come back: the dashboard offers the next unfinished lesson.
    let dashboard = browser.get("/dashboard").await;
    assert!(dashboard.body.contains("1 of 2 lessons complete"));
    assert!(
        dashboard
            .body
            .contains("Continue where you left off: Second lesson")
    );
    assert!(
        dashboard
            .body
            .contains(r#"href="/modules/alpha/lessons/second""#)
    );

    let catalogue = browser.get("/").await;
    assert!(catalogue.body.contains("1 of 2 lessons complete"));

    let signed_out = browser.post_form("/api/sign-out", "/dashboard", &[]).await;
    assert_eq!(signed_out.status, 302);
    let dashboard = browser.get("/dashboard").await;
    assert_eq!(dashboard.status, 302, "signed out: sent to sign in");
    assert_eq!(
        dashboard.location.as_deref(),
        Some("/sign-in?next=/dashboard")
    );
}

async fn a_failed_form_without_javascript_shows_messages_next_to_fields(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let failed = browser
        .post_form(
            "/api/register",
            "/register",
            &[
                ("email", "not-an-email"),
                ("display_name", "Ada"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(failed.status, 302);
    let back = failed.location.expect("redirected back to the form");
    assert_eq!(back, "/register", "the address carries no error text");
    assert!(browser.carries_form_error());
    let page = browser.get(&back).await;
    assert!(page.body.contains("There is a problem"), "{}", page.body);
    assert!(
        page.body
            .contains("Enter an email address in the format name@example.org.")
    );
    assert!(
        page.body
            .contains("Your password must be at least 10 characters long.")
    );
    assert!(page.body.contains(r#"aria-invalid="true""#));
    assert!(
        page.body.contains(r#"value="not-an-email""#),
        "typed email is kept"
    );
    assert!(
        !page.body.contains("short\""),
        "the password is never echoed"
    );
    assert!(!browser.signed_in());
}

async fn signing_in_rotates_the_session_and_wrong_passwords_are_refused(db: &DatabaseConnection) {
    let router = app_for(db, &fixtures().join("valid")).await;
    let mut browser = Browser::new(router.clone());
    browser
        .register_verified(db, "linus@example.org", "Linus", "penguins all the way")
        .await;
    browser.post_form("/api/sign-out", "/", &[]).await;
    assert!(!browser.signed_in());

    let wrong = browser
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[
                ("email", "linus@example.org"),
                ("password", "not my password"),
            ],
        )
        .await;
    assert_eq!(wrong.location.as_deref(), Some("/sign-in"));
    assert!(!browser.signed_in());
    let shown = browser.get("/sign-in").await;
    assert!(
        shown
            .body
            .contains("The email address or password is incorrect."),
        "the error reaches the page it returned to"
    );
    assert!(!browser.carries_form_error(), "and is shown once");

    let right = browser
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[
                ("email", "LINUS@example.org"),
                ("password", "penguins all the way"),
                ("next", "/modules/beta"),
            ],
        )
        .await;
    assert_eq!(right.location.as_deref(), Some("/modules/beta"));
    assert!(browser.signed_in());
}

async fn a_form_posted_from_another_site_is_refused(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let forged = browser
        .post_form_with(
            "/api/register",
            "/register",
            &[
                ("email", "victim@example.org"),
                ("display_name", "V"),
                ("password", "long enough password"),
            ],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(!browser.signed_in());
}

async fn unknown_pages_and_modules_are_404(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let missing = browser.get("/modules/no-such-module").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"));
    assert_eq!(browser.get("/nowhere").await.status, 404);
    let no_lesson = browser.get("/modules/alpha/lessons/nope").await;
    assert_eq!(no_lesson.status, 404);
}

on_both_databases!(
    learner_registers_enrols_completes_a_lesson_and_sees_progress,
    a_failed_form_without_javascript_shows_messages_next_to_fields,
    signing_in_rotates_the_session_and_wrong_passwords_are_refused,
    a_form_posted_from_another_site_is_refused,
    unknown_pages_and_modules_are_404,
    answers_never_reach_the_browser_before_submitting,
    a_learner_passes_without_javascript_and_anyone_can_verify_the_record,
);

async fn answers_never_reach_the_browser_before_submitting(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(db, "leak@example.org", "Leak Check", "no answers for me")
        .await;
    for page in ["/modules/gamma/lessons/only", "/modules/gamma/assessment"] {
        let html = browser.get(page).await;
        assert_eq!(html.status, 200, "{page}");
        assert!(
            html.body.contains("Which of these is a hazard?")
                || html.body.contains("Pick the even numbers."),
            "{page} shows its questions"
        );
        assert!(
            !html.body.contains("GAMMA-EXPLANATION"),
            "{page} leaks an explanation"
        );
        assert!(
            !html.body.contains("\"correct\""),
            "{page} leaks which options are correct"
        );
    }
    // The server function the hydrated page calls returns no answers either.
    let direct = browser
        .post_json_form("/api/quiz", &[("module", "gamma"), ("scope", "assessment")])
        .await;
    assert_eq!(direct.status, 200, "{}", direct.body);
    assert!(direct.body.contains("Pick the even numbers."));
    assert!(
        !direct.body.contains("GAMMA-EXPLANATION") && !direct.body.contains("correct_options"),
        "{}",
        direct.body
    );
}

async fn a_learner_passes_without_javascript_and_anyone_can_verify_the_record(
    db: &DatabaseConnection,
) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    browser
        .register_verified(db, "pass@example.org", "Dr Pass", "passing grades only")
        .await;
    let lesson = "/modules/gamma/lessons/only";
    browser
        .post_form(
            "/api/complete-lesson",
            lesson,
            &[("module", "gamma"), ("lesson", "only")],
        )
        .await;
    let assessment = "/modules/gamma/assessment";
    let submitted = browser
        .post_form(
            "/api/submit-quiz",
            assessment,
            &[
                ("module", "gamma"),
                ("scope", "assessment"),
                ("answers[final-1][choice]", "0"),
                ("answers[final-2][choice]", "1"),
                ("answers[final-3][o0]", "0"),
                ("answers[final-3][o2]", "2"),
            ],
        )
        .await;
    assert_eq!(submitted.status, 302, "{}", submitted.body);
    let page = browser.get(assessment).await;
    assert!(
        page.body
            .contains("You answered 3 of 3 questions correctly (100%). You passed."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("GAMMA-EXPLANATION-FIVE"),
        "explanations appear after submitting"
    );

    let module = browser.get("/modules/gamma").await;
    let start = module.body.find("/records/").expect("a link to the record");
    let id: String = module.body[start + 9..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();

    assert!(id.len() == 36, "record id {id:?}");
    let mut stranger = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let record = stranger.get(&format!("/records/{id}")).await;
    assert_eq!(record.status, 200);
    assert!(
        record.body.contains("Valid record")
            && record.body.contains("Dr Pass")
            && record.body.contains("Gamma module")
    );
    assert!(record.body.contains("<svg"), "QR code");
    let verification = stranger.get(&format!("/records/{id}/verification")).await;
    assert!(
        verification.body.contains(r#""valid":true"#),
        "{}",
        verification.body
    );
    let jwks = stranger.get("/.well-known/jwks.json").await;
    assert!(jwks.body.contains(r#""crv":"Ed25519""#));
    let json = stranger
        .get(&format!("/records/{id}/credential.json"))
        .await;
    let tampered = json.body.replace("Dr Pass", "Dr Impostor");
    let verdict = stranger.post_body("/verify", &tampered).await;
    assert!(
        verdict.body.contains(r#""valid":false"#),
        "{}",
        verdict.body
    );
    assert_eq!(stranger.get("/records/no-such-record").await.status, 404);
}
