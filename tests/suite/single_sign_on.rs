//! Signing in with an organisation's OpenID Connect provider, against a real, independent provider (npm's
//! oidc-provider, started per test): the whole authorization code flow with PKCE through the real router,
//! the checks on what comes back (state used once, issuer, expiry), and how accounts are linked or made.

use academy_tests::fixtures;
use academy_tests::http_client::{Browser, app_for};
use academy_tests::identity_provider::{CLIENT_ID, CLIENT_SECRET, IdentityProvider};
use academy_tests::on_both_databases;
use app::api::accounts::Role;
use app::error::AppError;
use app::ssr::entities::{account, account_identity, identity_provider};
use app::ssr::limits::Limits;
use app::ssr::services::single_sign_on::providers::{self, ProviderSettings};
use app::ssr::services::{accounts, personal_data};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};

const CALLBACK: &str = "http://localhost/sign-in/sso/north/callback";

fn settings(issuer: &str) -> ProviderSettings {
    ProviderSettings {
        slug: "north".into(),
        display_name: "North Trust".into(),
        issuer: issuer.into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        email_domains: "north.nhs.uk".into(),
        ..Default::default()
    }
}

/// The provider, registered in the academy as `north`, and a browser on the academy.
async fn north(
    db: &DatabaseConnection,
    adjust: impl FnOnce(&mut ProviderSettings),
) -> (IdentityProvider, Browser) {
    let provider = IdentityProvider::start(CALLBACK);
    let mut registration = settings(&provider.issuer);
    adjust(&mut registration);
    providers::register(db, None, &registration)
        .await
        .expect("register the provider");
    let browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    (provider, browser)
}

/// Starts a sign-in at the academy: the provider address the browser is sent to.
async fn start(browser: &mut Browser, next: &str) -> String {
    let page = browser
        .get(&format!("/sign-in/sso/north?next={next}"))
        .await;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    page.location.expect("a redirect to the provider")
}

/// The path of a full academy address the provider sends the browser back to.
fn academy_path(url: &str) -> String {
    url.strip_prefix("http://localhost")
        .unwrap_or_else(|| {
            panic!("the provider sent the browser to {url}, not back to the academy")
        })
        .to_owned()
}

/// Signs in at the provider as `user` and follows its answer back into the academy: where the academy sends
/// the browser then, and the callback address used.
async fn sign_in_as(
    provider: &IdentityProvider,
    browser: &mut Browser,
    user: &str,
) -> (String, String) {
    let authorize = start(browser, "/catalogue").await;
    let callback = academy_path(&provider.sign_in(&authorize, user).await);
    let page = browser.get(&callback).await;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    (page.location.expect("a redirect"), callback)
}

/// Whether the academy treats this browser as signed in (a session cookie alone may be a sign-in under way).
async fn signed_in(browser: &mut Browser) -> bool {
    browser.post_json_form("/api/whoami", &[]).await.body.trim() != "null"
}

async fn account_by_email(db: &DatabaseConnection, email: &str) -> Option<account::Model> {
    account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(db)
        .await
        .expect("query accounts")
}

async fn a_first_sign_in_makes_a_verified_learner_and_the_next_finds_the_same_account(
    db: &DatabaseConnection,
) {
    let (provider, mut browser) = north(db, |_| {}).await;
    let page = browser.get("/sign-in").await;
    assert!(
        page.body.contains("Sign in with North Trust"),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"/sign-in/sso/north?next="));

    let (landing, _) = sign_in_as(&provider, &mut browser, "alice").await;
    assert_eq!(landing, "/catalogue", "back to the page that asked");
    assert!(signed_in(&mut browser).await);
    let who = browser.post_json_form("/api/whoami", &[]).await;
    assert!(who.body.contains("alice@north.nhs.uk"), "{}", who.body);
    let alice = account_by_email(db, "alice@north.nhs.uk")
        .await
        .expect("an account");
    assert_eq!(alice.display_name, "alice Example");
    assert_eq!(alice.role, Role::Learner);
    assert!(
        alice.email_verified_at.is_some(),
        "the provider vouched for the address"
    );
    assert!(alice.password_hash.is_empty(), "no password was set");
    // Nobody can sign in to it with a password, not even an empty one.
    for password in ["", "any password"] {
        let refused =
            accounts::authenticate(db, &Limits::default(), "alice@north.nhs.uk", password).await;
        assert!(matches!(refused, Err(AppError::Invalid { .. })));
    }

    let mut another_browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    sign_in_as(&provider, &mut another_browser, "alice").await;
    assert!(signed_in(&mut another_browser).await);
    assert_eq!(account::Entity::find().count(db).await.expect("count"), 1);
    let links = account_identity::Entity::find()
        .all(db)
        .await
        .expect("links");
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].account_id, links[0].subject.as_str()),
        (alice.id, "alice")
    );
}

async fn a_callback_is_used_once_and_only_in_the_browser_that_started_it(db: &DatabaseConnection) {
    let (provider, mut browser) = north(db, |_| {}).await;
    let authorize = start(&mut browser, "/dashboard").await;
    let callback = academy_path(&provider.sign_in(&authorize, "bea").await);

    // Another browser (someone handed the link) gets nothing: the state is bound to the starting session.
    let mut stranger = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let page = stranger.get(&callback).await;
    assert_eq!(page.location.as_deref(), Some("/sign-in?sso=expired"));
    assert!(!signed_in(&mut stranger).await);

    let page = browser.get(&callback).await;
    assert_eq!(page.location.as_deref(), Some("/dashboard"));
    assert!(signed_in(&mut browser).await);
    // Replayed: the state was used up.
    let page = browser.get(&callback).await;
    assert_eq!(page.location.as_deref(), Some("/sign-in?sso=expired"));
    let notice = browser.get("/sign-in?sso=expired").await;
    assert!(
        notice.body.contains("has expired or was already used"),
        "{}",
        notice.body
    );
}

async fn an_answer_naming_another_issuer_or_none_is_refused(db: &DatabaseConnection) {
    let (provider, mut browser) = north(db, |_| {}).await;
    let authorize = start(&mut browser, "/dashboard").await;
    let callback = academy_path(&provider.sign_in(&authorize, "cai").await);
    assert!(
        callback.contains("iss="),
        "the provider names itself (RFC 9207): {callback}"
    );
    let forged = callback.replace("iss=http", "iss=https");
    let page = browser.get(&forged).await;
    assert_eq!(page.location.as_deref(), Some("/sign-in?sso=refused"));
    assert!(account_by_email(db, "cai@north.nhs.uk").await.is_none());

    // The provider's discovery document says it always names itself: an answer without `iss` is refused too.
    let authorize = start(&mut browser, "/dashboard").await;
    let callback = academy_path(&provider.sign_in(&authorize, "cai").await);
    let (path, query) = callback.split_once('?').expect("a query");
    let without_iss: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("iss="))
        .collect();
    let page = browser
        .get(&format!("{path}?{}", without_iss.join("&")))
        .await;
    assert_eq!(page.location.as_deref(), Some("/sign-in?sso=refused"));
    assert!(account_by_email(db, "cai@north.nhs.uk").await.is_none());
}

async fn a_provider_whose_discovery_names_another_issuer_is_not_used(db: &DatabaseConnection) {
    // Registered as `localhost`, the provider calls itself `127.0.0.1`: its document is not for this issuer.
    let (_provider, mut browser) = north(db, |s| {
        s.issuer = s.issuer.replace("127.0.0.1", "localhost");
    })
    .await;
    let page = browser.get("/sign-in/sso/north").await;
    assert_eq!(page.location.as_deref(), Some("/sign-in?sso=unreachable"));
    let notice = browser.get("/sign-in?sso=unreachable").await;
    assert!(
        notice.body.contains("could not be reached"),
        "{}",
        notice.body
    );
}

async fn an_id_token_is_refused_once_expired_or_issued_too_long_ago_allowing_for_clock_difference(
    db: &DatabaseConnection,
) {
    let (provider, mut browser) = north(db, |_| {}).await;
    // Each case: the provider's clock offset, its ID tokens' lifetime, and whether the academy accepts.
    for (offset, lifetime, accepted, what) in [
        (-8 * 60, 5 * 60, false, "expired three minutes ago"),
        (
            -6 * 60,
            5 * 60,
            true,
            "expired a minute ago, within the two minutes' leeway",
        ),
        (
            -15 * 60,
            60 * 60,
            false,
            "issued fifteen minutes ago, though not expired",
        ),
        (
            60,
            60 * 60,
            true,
            "issued a minute in the future, within the leeway",
        ),
        (5 * 60, 60 * 60, false, "issued five minutes in the future"),
    ] {
        provider.set_clock(offset, lifetime).await;
        let (landing, _) = sign_in_as(&provider, &mut browser, "dev").await;
        let expected = if accepted {
            "/catalogue"
        } else {
            "/sign-in?sso=refused"
        };
        assert_eq!(landing, expected, "{what}");
        assert_eq!(signed_in(&mut browser).await, accepted, "{what}");
        browser.post_json_form("/api/sign-out", &[]).await;
    }
}

async fn a_provider_that_rotated_its_keys_is_trusted_with_the_new_ones(db: &DatabaseConnection) {
    let (provider, mut browser) = north(db, |_| {}).await;
    // The first sign-in keeps the provider's keys for an hour.
    sign_in_as(&provider, &mut browser, "kit").await;
    browser.post_json_form("/api/sign-out", &[]).await;
    // The provider comes back on the same address with new signing keys.
    let port = provider.port();
    provider.stop();
    let rotated = IdentityProvider::start_on(port, CALLBACK);
    let (landing, _) = sign_in_as(&rotated, &mut browser, "kit").await;
    assert_eq!(
        landing, "/catalogue",
        "the new key was fetched, not refused"
    );
}

async fn an_unverified_account_with_the_address_is_reclaimed_by_the_organisations_sign_in(
    db: &DatabaseConnection,
) {
    // Someone registered a colleague's address (never verified) and is signed in with it somewhere.
    let mut squatter = Browser::new(app_for(db, &fixtures().join("valid")).await);
    squatter
        .post_form(
            "/api/register",
            "/register",
            &[
                ("email", "lou@north.nhs.uk"),
                ("display_name", "Not Lou"),
                ("password", "the squatter's passphrase"),
            ],
        )
        .await;
    squatter
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[
                ("email", "lou@north.nhs.uk"),
                ("password", "the squatter's passphrase"),
            ],
        )
        .await;
    assert!(signed_in(&mut squatter).await);

    let (provider, mut browser) = north(db, |_| {}).await;
    sign_in_as(&provider, &mut browser, "lou").await;
    let lou = account_by_email(db, "lou@north.nhs.uk")
        .await
        .expect("the account");
    assert!(lou.email_verified_at.is_some());
    assert!(
        lou.password_hash.is_empty(),
        "the squatter's password is gone"
    );
    assert!(
        !signed_in(&mut squatter).await,
        "the squatter's session ended"
    );
    let refused = accounts::authenticate(
        db,
        &Limits::default(),
        "lou@north.nhs.uk",
        "the squatter's passphrase",
    )
    .await;
    assert!(refused.is_err());
}

async fn an_admin_account_and_a_domain_already_registered_are_not_given_to_a_provider(
    db: &DatabaseConnection,
) {
    academy_tests::account(db, "max@north.nhs.uk", Role::Admin).await;
    let (provider, mut browser) = north(db, |_| {}).await;
    let (landing, _) = sign_in_as(&provider, &mut browser, "max").await;
    assert_eq!(
        landing, "/sign-in?sso=email-in-use",
        "an admin's account is never taken over"
    );

    let mut second = settings("https://login.south.example");
    second.slug = "south".into();
    second.email_domains = "south.nhs.uk, north.nhs.uk".into();
    let refused = providers::register(db, None, &second).await;
    let message = refused
        .err()
        .and_then(|e| e.field_message("email_domains"))
        .unwrap_or_default();
    assert!(
        message.contains("north.nhs.uk is already registered to North Trust"),
        "{message}"
    );
}

async fn an_organisation_that_controls_its_domains_vouches_for_their_addresses(
    db: &DatabaseConnection,
) {
    // The provider does not say the address is verified (as Microsoft Entra ID never does).
    let (provider, mut browser) = north(db, |s| s.trusts_domain_addresses = true).await;
    sign_in_as(&provider, &mut browser, "unverified-nia").await;
    let nia = account_by_email(db, "nia@north.nhs.uk")
        .await
        .expect("an account");
    assert!(nia.email_verified_at.is_some());
}

async fn a_cancelled_sign_in_says_so_and_signs_nobody_in(db: &DatabaseConnection) {
    let (_provider, mut browser) = north(db, |_| {}).await;
    let authorize = url::Url::parse(&start(&mut browser, "/dashboard").await).expect("a URL");
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state");
    let page = browser
        .get(&format!(
            "/sign-in/sso/north/callback?error=access_denied&state={state}"
        ))
        .await;
    assert_eq!(page.location.as_deref(), Some("/sign-in?sso=cancelled"));
    assert!(!signed_in(&mut browser).await);
}

async fn an_existing_account_is_linked_only_when_the_provider_vouches_for_its_address(
    db: &DatabaseConnection,
) {
    let existing = academy_tests::account(db, "bob@north.nhs.uk", Role::Learner).await;
    let (provider, mut browser) = north(db, |_| {}).await;
    // Same address, but the provider does not say it checked it: not enough to take over an account.
    let (landing, _) = sign_in_as(&provider, &mut browser, "unverified-bob").await;
    assert_eq!(landing, "/sign-in?sso=email-in-use");
    assert!(!signed_in(&mut browser).await);
    assert_eq!(
        account_identity::Entity::find()
            .count(db)
            .await
            .expect("count"),
        0
    );

    let (landing, _) = sign_in_as(&provider, &mut browser, "bob").await;
    assert_eq!(landing, "/catalogue");
    let link = account_identity::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("a link");
    assert_eq!(
        link.account_id, existing.id,
        "linked to the account that had the address"
    );
    // The account keeps its password.
    accounts::authenticate(
        db,
        &Limits::default(),
        "bob@north.nhs.uk",
        "a long enough passphrase",
    )
    .await
    .expect("the password still works");
}

async fn an_address_outside_the_providers_domains_or_none_at_all_is_refused(
    db: &DatabaseConnection,
) {
    let (provider, mut browser) = north(db, |_| {}).await;
    let (landing, _) = sign_in_as(&provider, &mut browser, "outsider-carol").await;
    assert_eq!(landing, "/sign-in?sso=domain");
    let (landing, _) = sign_in_as(&provider, &mut browser, "noemail-dan").await;
    assert_eq!(landing, "/sign-in?sso=no-email");
    assert_eq!(account::Entity::find().count(db).await.expect("count"), 0);
}

async fn the_lead_claim_makes_a_course_lead_and_losing_it_takes_the_role_back(
    db: &DatabaseConnection,
) {
    let (provider, mut browser) = north(db, |s| {
        s.lead_claim = Some("groups".into());
        s.lead_claim_value = Some("academy-leads".into());
    })
    .await;
    sign_in_as(&provider, &mut browser, "lead-erin").await;
    let erin = account_by_email(db, "erin@north.nhs.uk")
        .await
        .expect("an account");
    assert_eq!(erin.role, Role::CourseLead);

    // The organisation moves the role to another group: Erin's claim no longer holds at her next sign-in.
    let registered = identity_provider::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("provider");
    let mut changed: identity_provider::ActiveModel = registered.into();
    changed.lead_claim_value = Set(Some("informatics-leads".into()));
    changed.update(db).await.expect("change the mapping");
    sign_in_as(&provider, &mut browser, "lead-erin").await;
    let erin = account_by_email(db, "erin@north.nhs.uk")
        .await
        .expect("an account");
    assert_eq!(erin.role, Role::Learner);

    // A lead an admin made is not the claim's to take away.
    let admin_made = academy_tests::account(db, "fay@north.nhs.uk", Role::CourseLead).await;
    sign_in_as(&provider, &mut browser, "fay").await;
    let fay = account::Entity::find_by_id(admin_made.id)
        .one(db)
        .await
        .expect("query")
        .expect("fay");
    assert_eq!(fay.role, Role::CourseLead);
}

async fn password_sign_in_is_refused_where_the_organisation_turned_it_off(db: &DatabaseConnection) {
    academy_tests::account(db, "gil@north.nhs.uk", Role::Learner).await;
    academy_tests::account(db, "gil@elsewhere.example", Role::Learner).await;
    let (_provider, mut browser) = north(db, |s| s.passwords_off = true).await;
    let refused = accounts::authenticate(
        db,
        &Limits::default(),
        "gil@north.nhs.uk",
        "a long enough passphrase",
    )
    .await;
    let Err(error) = refused else {
        panic!("a password sign-in went through for a domain with passwords off");
    };
    let message = error.field_message("email").unwrap_or_default();
    assert!(message.contains("Sign in with North Trust"), "{message}");
    // Another domain is not affected.
    accounts::authenticate(
        db,
        &Limits::default(),
        "gil@elsewhere.example",
        "a long enough passphrase",
    )
    .await
    .expect("password sign-in elsewhere");
    let page = browser
        .post_form(
            "/api/sign-in",
            "/sign-in",
            &[
                ("email", "gil@north.nhs.uk"),
                ("password", "a long enough passphrase"),
            ],
        )
        .await;
    assert!(!signed_in(&mut browser).await, "{}", page.body);
}

async fn an_unknown_or_disabled_provider_is_not_found(db: &DatabaseConnection) {
    let (_provider, mut browser) = north(db, |_| {}).await;
    assert_eq!(browser.get("/sign-in/sso/south").await.status.as_u16(), 404);
    let registered = identity_provider::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("provider");
    let mut disabled: identity_provider::ActiveModel = registered.into();
    disabled.enabled = Set(false);
    disabled.update(db).await.expect("disable");
    assert_eq!(browser.get("/sign-in/sso/north").await.status.as_u16(), 404);
    assert!(
        !browser
            .get("/sign-in")
            .await
            .body
            .contains("Sign in with North Trust")
    );
}

async fn an_account_made_by_sign_in_exports_its_link_and_is_erased_by_confirming_its_address(
    db: &DatabaseConnection,
) {
    let (provider, mut browser) = north(db, |_| {}).await;
    sign_in_as(&provider, &mut browser, "hal").await;
    let hal = account_by_email(db, "hal@north.nhs.uk")
        .await
        .expect("an account");

    let settings = accounts::settings(db, &hal, None).await.expect("settings");
    assert!(!settings.has_password);
    assert_eq!(settings.organisations, ["North Trust"]);
    let download = browser.get_bytes("/account/data.zip").await;
    assert_eq!(download.status, 200);
    let links = download.zip_entry("organisation_sign_ins.csv");
    assert!(
        links.contains("North Trust") && links.contains("hal"),
        "{links}"
    );

    // No password to confirm with: the address is typed instead, and a wrong one is refused.
    let now = Some(chrono::Utc::now());
    let wrong = personal_data::erase_account(db, &hal, "someone@north.nhs.uk", now).await;
    assert!(wrong.is_err());
    // A session signed in long ago (a shared workstation left signed in) cannot erase it.
    let long_ago = Some(chrono::Utc::now() - chrono::Duration::hours(2));
    let stale = personal_data::erase_account(db, &hal, "hal@north.nhs.uk", long_ago).await;
    assert!(stale.is_err_and(|e| {
        e.field_message("delete_password")
            .is_some_and(|m| m.contains("sign in again"))
    }));
    personal_data::erase_account(db, &hal, " Hal@North.nhs.uk ", now)
        .await
        .expect("erased on confirming the address");
    assert_eq!(
        account_identity::Entity::find()
            .count(db)
            .await
            .expect("count"),
        0
    );
    // Signing in there again makes a fresh account; nothing of the erased one comes back.
    sign_in_as(&provider, &mut browser, "hal").await;
    let again = account_by_email(db, "hal@north.nhs.uk")
        .await
        .expect("a new account");
    assert_ne!(again.id, hal.id);
}

async fn an_admin_registers_a_provider_turns_it_off_and_replaces_its_secret(
    db: &DatabaseConnection,
) {
    let provider = IdentityProvider::start(CALLBACK);
    let admin = academy_tests::account(db, "admin@example.org", Role::Admin).await;
    let lead = academy_tests::account(db, "lead@example.org", Role::CourseLead).await;
    let public_url = url::Url::parse("http://localhost").expect("a URL");
    let refused = providers::register_by(db, &lead, &settings(&provider.issuer)).await;
    assert!(matches!(refused, Err(AppError::Forbidden)));
    providers::register_by(db, &admin, &settings(&provider.issuer))
        .await
        .expect("registered by the admin");
    let listed = providers::list(db, &admin, &public_url)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].redirect_uri, CALLBACK);
    assert_eq!(listed[0].email_domains, ["north.nhs.uk"]);
    assert!(matches!(
        providers::list(db, &lead, &public_url).await,
        Err(AppError::Forbidden)
    ));
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);

    // An expired secret replaced by a wrong one: the provider refuses the code exchange.
    let change = |enabled: bool, secret: Option<&str>| providers::ProviderChange {
        enabled,
        client_secret: secret.map(str::to_owned),
    };
    providers::change(db, &admin, "north", change(true, Some("not-the-secret")))
        .await
        .expect("secret replaced");
    let (landing, _) = sign_in_as(&provider, &mut browser, "ivy").await;
    assert_eq!(landing, "/sign-in?sso=refused");
    providers::change(db, &admin, "north", change(true, Some(CLIENT_SECRET)))
        .await
        .expect("secret replaced");
    let (landing, _) = sign_in_as(&provider, &mut browser, "ivy").await;
    assert_eq!(landing, "/catalogue");
    assert_eq!(
        providers::list(db, &admin, &public_url)
            .await
            .expect("list")[0]
            .linked_accounts,
        1
    );

    // Turned off: no longer offered, and its addresses are not found; turned on, the same person is back.
    providers::change(db, &admin, "north", change(false, None))
        .await
        .expect("turned off");
    assert!(
        !browser
            .get("/sign-in")
            .await
            .body
            .contains("Sign in with North Trust")
    );
    assert_eq!(browser.get("/sign-in/sso/north").await.status.as_u16(), 404);
    providers::change(db, &admin, "north", change(true, None))
        .await
        .expect("turned on");
    sign_in_as(&provider, &mut browser, "ivy").await;
    assert_eq!(
        account::Entity::find()
            .filter(account::Column::Email.eq("ivy@north.nhs.uk"))
            .count(db)
            .await
            .expect("count"),
        1
    );
}

on_both_databases!(
    an_admin_registers_a_provider_turns_it_off_and_replaces_its_secret,
    an_account_made_by_sign_in_exports_its_link_and_is_erased_by_confirming_its_address,
    a_first_sign_in_makes_a_verified_learner_and_the_next_finds_the_same_account,
    a_callback_is_used_once_and_only_in_the_browser_that_started_it,
    an_answer_naming_another_issuer_or_none_is_refused,
    a_provider_whose_discovery_names_another_issuer_is_not_used,
    an_id_token_is_refused_once_expired_or_issued_too_long_ago_allowing_for_clock_difference,
    a_provider_that_rotated_its_keys_is_trusted_with_the_new_ones,
    an_unverified_account_with_the_address_is_reclaimed_by_the_organisations_sign_in,
    an_admin_account_and_a_domain_already_registered_are_not_given_to_a_provider,
    an_organisation_that_controls_its_domains_vouches_for_their_addresses,
    a_cancelled_sign_in_says_so_and_signs_nobody_in,
    an_existing_account_is_linked_only_when_the_provider_vouches_for_its_address,
    an_address_outside_the_providers_domains_or_none_at_all_is_refused,
    the_lead_claim_makes_a_course_lead_and_losing_it_takes_the_role_back,
    password_sign_in_is_refused_where_the_organisation_turned_it_off,
    an_unknown_or_disabled_provider_is_not_found,
);
