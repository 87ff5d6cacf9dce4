//! Sessions: tied to their account, ended when idle or too old, listed and ended by their owner, and all
//! ended by a password change. Through the real router and the services, on both databases.

use academy_tests::fixtures;
use academy_tests::http_client::{Browser, app_for};
use academy_tests::on_both_databases;
use app::error::AppError;
use app::ssr::entities::{account, session};
use app::ssr::services::{accounts, sessions};
use axum::body::Body;
use chrono::{Duration, Utc};
use http::{Request, header};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use tower::ServiceExt;

const PASSWORD: &str = "a long enough passphrase";

async fn registered(db: &DatabaseConnection, browser: &mut Browser, email: &str) {
    browser
        .register_verified(db, email, "Dr Session", PASSWORD)
        .await;
}

async fn sign_in(browser: &mut Browser, email: &str, password: &str) -> u16 {
    browser
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
        .status
        .as_u16()
}

/// Whether the server still treats this browser as signed in.
async fn is_signed_in(browser: &mut Browser) -> bool {
    let who = browser.post_json_form("/api/whoami", &[]).await;
    who.body.trim() != "null"
}

async fn rows_of(db: &DatabaseConnection, email: &str) -> Vec<session::Model> {
    let owner = account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(db)
        .await
        .expect("query")
        .expect("account");
    session::Entity::find()
        .filter(session::Column::AccountId.eq(owner.id))
        .all(db)
        .await
        .expect("sessions")
}

async fn a_session_row_names_its_account_and_ends_after_two_idle_hours(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    registered(db, &mut browser, "rows@example.org").await;
    let rows = rows_of(db, "rows@example.org").await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert!(row.signed_in_at.is_some() && row.last_seen_at.is_some());
    let idle_end = Utc::now() + Duration::hours(2);
    assert!(
        (row.expires_at - idle_end).num_seconds().abs() < 60,
        "the row expires two idle hours from now, not in fourteen days: {}",
        row.expires_at
    );
}

async fn an_expired_or_over_age_session_is_signed_out(db: &DatabaseConnection) {
    let router = app_for(db, &fixtures().join("valid")).await;
    let mut idle = Browser::new(router.clone());
    registered(db, &mut idle, "idle@example.org").await;
    assert!(is_signed_in(&mut idle).await);
    // Idle past its expiry: as another instance would find it, the row no longer loads.
    for row in rows_of(db, "idle@example.org").await {
        let mut active: session::ActiveModel = row.into();
        active.expires_at = Set(Utc::now() - Duration::minutes(1));
        active.update(db).await.expect("age the row");
    }
    assert!(
        !is_signed_in(&mut idle).await,
        "an idle session still worked"
    );

    // Busy, but signed in thirteen hours ago: past the twelve-hour lifetime.
    let mut busy = Browser::new(router);
    assert_eq!(sign_in(&mut busy, "idle@example.org", PASSWORD).await, 302);
    assert!(is_signed_in(&mut busy).await);
    for row in rows_of(db, "idle@example.org").await {
        let mut data: serde_json::Value = serde_json::from_str(&row.data).expect("data");
        data["signed_in_at"] = (Utc::now() - Duration::hours(13)).timestamp().into();
        let mut active: session::ActiveModel = row.into();
        active.data = Set(data.to_string());
        active.update(db).await.expect("backdate the sign-in");
    }
    assert!(
        !is_signed_in(&mut busy).await,
        "an over-age session still worked"
    );
    let live = rows_of(db, "idle@example.org")
        .await
        .into_iter()
        .filter(|row| row.expires_at > Utc::now())
        .count();
    assert_eq!(live, 0, "and its row is gone");
}

async fn signing_out_everywhere_else_ends_the_other_browsers_only(db: &DatabaseConnection) {
    let router = app_for(db, &fixtures().join("valid")).await;
    let mut ward_pc = Browser::new(router.clone());
    registered(db, &mut ward_pc, "everywhere@example.org").await;
    let mut phone = Browser::new(router.clone());
    assert_eq!(
        sign_in(&mut phone, "everywhere@example.org", PASSWORD).await,
        302
    );
    let mut office = Browser::new(router);
    assert_eq!(
        sign_in(&mut office, "everywhere@example.org", PASSWORD).await,
        302
    );

    let settings = phone.post_json_form("/api/account-settings", &[]).await;
    let listed: app::model::accounts::AccountSettings =
        serde_json::from_str(&settings.body).expect("settings json");
    assert_eq!(listed.sessions.len(), 3);
    assert_eq!(listed.sessions.iter().filter(|s| s.current).count(), 1);

    // One browser ended from the list, then all the others.
    let ward = rows_of(db, "everywhere@example.org").await;
    let ward_reference = &listed
        .sessions
        .iter()
        .find(|s| !s.current)
        .expect("another session")
        .reference;
    assert!(ward.iter().any(|r| &r.id == ward_reference));
    let ended = phone
        .post_form(
            "/api/end-session",
            "/account",
            &[("reference", ward_reference)],
        )
        .await;
    assert_eq!(ended.status, 302);
    assert_eq!(rows_of(db, "everywhere@example.org").await.len(), 2);

    phone
        .post_form("/api/end-other-sessions", "/account", &[])
        .await;
    assert!(
        is_signed_in(&mut phone).await,
        "this browser stays signed in"
    );
    assert!(!is_signed_in(&mut ward_pc).await);
    assert!(!is_signed_in(&mut office).await);
    assert_eq!(rows_of(db, "everywhere@example.org").await.len(), 1);
}

async fn one_learner_cannot_end_another_learners_session(db: &DatabaseConnection) {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    registered(db, &mut browser, "victim@example.org").await;
    let reference = rows_of(db, "victim@example.org").await[0].id.clone();
    let other = academy_tests::account(db, "other@example.org", accounts::Role::Learner).await;
    assert!(matches!(
        sessions::end(db, &other, &reference).await,
        Err(AppError::NotFound(_))
    ));
    assert!(is_signed_in(&mut browser).await);
}

async fn changing_the_password_needs_the_current_one_and_signs_out_other_browsers(
    db: &DatabaseConnection,
) {
    let router = app_for(db, &fixtures().join("valid")).await;
    let mut mine = Browser::new(router.clone());
    registered(db, &mut mine, "change@example.org").await;
    let mut left_open = Browser::new(router.clone());
    assert_eq!(
        sign_in(&mut left_open, "change@example.org", PASSWORD).await,
        302
    );

    let wrong = mine
        .post_json_form(
            "/api/change-password",
            &[
                ("current_password", "not my password at all"),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_ne!(wrong.status, 200, "{}", wrong.body);
    assert!(
        wrong.body.contains("current password is not right"),
        "{}",
        wrong.body
    );
    assert!(is_signed_in(&mut left_open).await);

    let changed = mine
        .post_json_form(
            "/api/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(is_signed_in(&mut mine).await);
    assert!(
        !is_signed_in(&mut left_open).await,
        "the other browser was signed out"
    );
    let mut fresh = Browser::new(router);
    assert_eq!(
        sign_in(&mut fresh, "change@example.org", PASSWORD).await,
        302
    );
    assert!(
        !is_signed_in(&mut fresh).await,
        "the old password no longer works"
    );
    assert_eq!(
        sign_in(&mut fresh, "change@example.org", "a brand new passphrase").await,
        302
    );
    assert!(is_signed_in(&mut fresh).await);
}

async fn over_https_cookies_are_host_prefixed_and_browsers_are_told_to_stay_on_https(
    db: &DatabaseConnection,
) {
    let state = academy_tests::http_client::state_for(db, &fixtures().join("valid")).await;
    academy_tests::account(db, "secure@example.org", accounts::Role::Learner).await;
    let secure = server::router::build_router(state, true);
    let body = "email=secure%40example.org&password=a+long+enough+passphrase";
    let response = secure
        .oneshot(
            Request::post("/api/sign-in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .header(header::REFERER, "https://localhost/sign-in")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
        .expect("response");
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie");
    assert!(cookie.starts_with("__Host-academy_session="), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("Path=/"));
    assert!(
        !cookie.contains("Domain="),
        "a __Host- cookie names no domain"
    );
    assert_eq!(
        response
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
    assert_eq!(
        response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("private, no-store")
    );
}

async fn a_session_ended_during_a_request_is_not_written_back(db: &DatabaseConnection) {
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};
    let store = app::ssr::session_store::DbSessionStore::new(db.clone(), Default::default());
    let mut record = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.expect("create");
    // Signed out everywhere while a request on this session is still running...
    session::Entity::delete_many().exec(db).await.expect("end");
    // ...which then saves its session as requests do.
    store.save(&record).await.expect("save");
    assert_eq!(
        session::Entity::find().all(db).await.expect("rows").len(),
        0,
        "the ended session came back"
    );
}

on_both_databases!(
    a_session_ended_during_a_request_is_not_written_back,
    a_session_row_names_its_account_and_ends_after_two_idle_hours,
    an_expired_or_over_age_session_is_signed_out,
    signing_out_everywhere_else_ends_the_other_browsers_only,
    one_learner_cannot_end_another_learners_session,
    changing_the_password_needs_the_current_one_and_signs_out_other_browsers,
    over_https_cookies_are_host_prefixed_and_browsers_are_told_to_stay_on_https,
);
