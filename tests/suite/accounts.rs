//! Accounts: registering through the emailed link, signing in, admins created from the command line, roles
//! given only to proved addresses, password resets and changes of address; on both databases.

use academy_tests::{emailed_link, events, fixtures, on_both_databases, publish, test_issuer};
use app::api::accounts::Role;
use app::error::AppError;
use app::ssr::content::load_library;
use app::ssr::entities::{account, account_token, mail_outbox};
use app::ssr::limits::Limits;
use app::ssr::services::accounts::{
    Registration, Verified, authenticate, create_account, create_admin, find_by_email, grant_role,
};
use app::ssr::services::{catalogue, cohorts, completion, email_links, learning};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use std::collections::HashMap;

const SITE: &str = "https://academy.example.nhs.uk";

fn ada() -> Registration {
    Registration {
        email: "  Ada.Lovelace@Example.NHS.uk ".into(),
        display_name: "Dr Ada Lovelace".into(),
        password: "analytical engine notes".into(),
    }
}

async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<account::Model, AppError> {
    authenticate(db, &Limits::default(), email, password).await
}

fn token_of(link: &str) -> String {
    link.split_once("token=")
        .map(|(_, token)| token.to_owned())
        .expect("a token in the link")
}

async fn mail_to(db: &DatabaseConnection, to: &str) -> Vec<mail_outbox::Model> {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(to))
        .all(db)
        .await
        .expect("outbox")
}

async fn learner_registers_verifies_and_signs_in_with_any_email_case(db: &DatabaseConnection) {
    email_links::register(db, SITE, ada())
        .await
        .expect("register");
    let account = find_by_email(db, "ada.lovelace@example.nhs.uk")
        .await
        .expect("q")
        .expect("an account");
    assert_eq!(account.role, Role::Learner);
    assert!(account.password_hash.starts_with("$argon2id$"));
    assert!(
        account.email_verified_at.is_none(),
        "not verified until the link is followed"
    );
    // Signing in works before verifying: learning and progress need no proof.
    let signed_in = sign_in(db, "ADA.LOVELACE@example.nhs.uk", "analytical engine notes")
        .await
        .expect("sign in");
    assert_eq!(signed_in.id, account.id);

    let link = emailed_link(db, "ada.lovelace@example.nhs.uk", "/verify-email")
        .await
        .expect("a verification email");
    let issuer = test_issuer(db).await;
    let verified = email_links::verify_email(db, &issuer, &[], &[], &token_of(&link))
        .await
        .expect("verify");
    assert!(verified.email_verified_at.is_some());
    let again = email_links::verify_email(db, &issuer, &[], &[], &token_of(&link)).await;
    assert!(
        again
            .as_ref()
            .err()
            .and_then(|e| e.field_message("token"))
            .is_some_and(|m| m.contains("already been used")),
        "a link works once: {again:?}"
    );
}

async fn registering_an_existing_address_answers_the_same_and_emails_its_owner(
    db: &DatabaseConnection,
) {
    email_links::register(db, SITE, ada()).await.expect("first");
    let second = email_links::register(
        db,
        SITE,
        Registration {
            display_name: "Someone Else".into(),
            password: "a different passphrase".into(),
            ..ada()
        },
    )
    .await;
    assert_eq!(
        second,
        Ok(()),
        "the answer does not say the address is taken"
    );
    assert_eq!(account::Entity::find().count(db).await.expect("count"), 1);
    let messages = mail_to(db, "ada.lovelace@example.nhs.uk").await;
    assert_eq!(messages.len(), 2);
    assert!(
        messages
            .iter()
            .any(|m| m.subject.contains("Someone tried to register"))
    );
    assert!(
        sign_in(db, "ada.lovelace@example.nhs.uk", "a different passphrase")
            .await
            .is_err(),
        "the second registration's password does not open the account"
    );
}

async fn a_wrong_password_gives_a_vague_error(db: &DatabaseConnection) {
    create_account(db, ada(), Role::Learner, Verified::Yes)
        .await
        .expect("account");
    let wrong = sign_in(db, "ada.lovelace@example.nhs.uk", "not the password")
        .await
        .expect_err("wrong password");
    let unknown = sign_in(db, "nobody@example.org", "not the password")
        .await
        .expect_err("unknown email");
    assert_eq!(
        wrong.field_message("password"),
        unknown.field_message("password")
    );
    assert_eq!(
        wrong.field_message("password").as_deref(),
        Some("The email address or password is incorrect.")
    );
    let events: Vec<String> = app::ssr::entities::audit_event::Entity::find()
        .all(db)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        events,
        ["account.sign_in_failed"],
        "security events are audited"
    );
}

async fn guessing_one_accounts_password_is_slowed_down(db: &DatabaseConnection) {
    create_account(db, ada(), Role::Learner, Verified::Yes)
        .await
        .expect("account");
    let limits = Limits::new(app::ssr::limits::LimitSettings {
        account_burst: 3,
        account_refill: std::time::Duration::from_secs(60),
        ..Default::default()
    });
    for _ in 0..3 {
        let refused = authenticate(db, &limits, "ada.lovelace@example.nhs.uk", "guess").await;
        assert!(matches!(refused, Err(AppError::Invalid { .. })));
    }
    let slowed = authenticate(
        db,
        &limits,
        "ada.lovelace@example.nhs.uk",
        "analytical engine notes",
    )
    .await;
    assert!(
        matches!(slowed, Err(AppError::TooManyRequests { retry_after_seconds }) if retry_after_seconds <= 60),
        "{slowed:?}"
    );
    assert!(
        authenticate(db, &limits, "someone.else@example.org", "guess")
            .await
            .is_err_and(|e| matches!(e, AppError::Invalid { .. })),
        "other accounts are not affected"
    );
}

async fn create_admin_makes_a_verified_admin_and_never_takes_over_an_existing_address(
    db: &DatabaseConnection,
) {
    let admin = create_admin(
        db,
        Registration {
            email: "root@example.org".into(),
            display_name: "Site Admin".into(),
            password: "a very long admin passphrase".into(),
        },
        false,
    )
    .await
    .expect("create admin");
    assert_eq!(admin.role, Role::Admin);
    assert!(admin.email_verified_at.is_some());
    sign_in(db, "root@example.org", "a very long admin passphrase")
        .await
        .expect("the given password works");

    // A stranger registered the address first: create-admin refuses rather than hand them the role.
    email_links::register(db, SITE, ada())
        .await
        .expect("stranger registers");
    let refused = create_admin(
        db,
        Registration {
            password: "the operator's passphrase".into(),
            ..ada()
        },
        false,
    )
    .await
    .expect_err("an existing address is refused");
    assert!(
        matches!(&refused, AppError::Conflict(m) if m.contains("--promote-existing")),
        "{refused:?}"
    );
    let promoted = create_admin(db, ada(), true)
        .await
        .expect_err("unverified holder");
    assert!(matches!(promoted, AppError::Conflict(m) if m.contains("has not verified")));
    let still = find_by_email(db, "ada.lovelace@example.nhs.uk")
        .await
        .expect("q")
        .expect("a");
    assert_eq!(still.role, Role::Learner);
}

async fn a_role_goes_only_to_a_verified_address(db: &DatabaseConnection) {
    email_links::register(db, SITE, ada())
        .await
        .expect("register");
    let refused = grant_role(db, None, "ada.lovelace@example.nhs.uk", Role::CourseLead)
        .await
        .expect_err("unverified");
    assert!(matches!(&refused, AppError::Conflict(m) if m.contains("has not verified")));
    let link = emailed_link(db, "ada.lovelace@example.nhs.uk", "/verify-email")
        .await
        .expect("link");
    let issuer = test_issuer(db).await;
    email_links::verify_email(db, &issuer, &[], &[], &token_of(&link))
        .await
        .expect("verify");
    let lead = grant_role(db, None, "ada.lovelace@example.nhs.uk", Role::CourseLead)
        .await
        .expect("granted");
    assert_eq!(lead.role, Role::CourseLead);
}

async fn an_unverified_learner_learns_but_joins_and_earns_only_once_verified(
    db: &DatabaseConnection,
) {
    publish(db, &fixtures().join("valid")).await;
    let issuer = test_issuer(db).await;
    let frameworks = load_library(&fixtures().join("valid")).library.frameworks;
    email_links::register(db, SITE, ada())
        .await
        .expect("register");
    let learner = find_by_email(db, "ada.lovelace@example.nhs.uk")
        .await
        .expect("q")
        .expect("a");
    learning::complete_lesson(db, events(&issuer, &frameworks), learner.id, "beta", "only")
        .await
        .expect("progress is tracked");
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    assert_eq!(
        completion::complete_if_due(db, &issuer, &frameworks, &[], learner.id, &beta).await,
        Ok(None),
        "no record for an unproved address"
    );
    let lead = academy_tests::account(db, "lead@example.org", Role::CourseLead).await;
    let cohort = cohorts::create(
        db,
        &lead,
        "Verify first",
        vec!["beta".into()],
        &HashMap::new(),
    )
    .await
    .expect("cohort");
    let code = app::ssr::entities::cohort::Entity::find_by_id(cohort)
        .one(db)
        .await
        .expect("q")
        .expect("cohort")
        .join_code;
    assert_eq!(
        cohorts::join(db, &learner, &code).await,
        Err(AppError::EmailNotVerified)
    );

    let link = emailed_link(db, "ada.lovelace@example.nhs.uk", "/verify-email")
        .await
        .expect("link");
    let verified = email_links::verify_email(db, &issuer, &frameworks, &[], &token_of(&link))
        .await
        .expect("verify");
    assert_eq!(
        app::ssr::entities::completion_record::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1,
        "the module completed before verifying issues its record on verifying"
    );
    cohorts::join(db, &verified, &code)
        .await
        .expect("joins once verified");
}

async fn an_expired_link_does_not_work(db: &DatabaseConnection) {
    email_links::register(db, SITE, ada())
        .await
        .expect("register");
    for token in account_token::Entity::find().all(db).await.expect("tokens") {
        let mut active: account_token::ActiveModel = token.into();
        active.expires_at = Set(Utc::now() - Duration::minutes(1));
        active.update(db).await.expect("expire");
    }
    let link = emailed_link(db, "ada.lovelace@example.nhs.uk", "/verify-email")
        .await
        .expect("link");
    let issuer = test_issuer(db).await;
    let expired = email_links::verify_email(db, &issuer, &[], &[], &token_of(&link)).await;
    assert!(expired.is_err_and(|e| e.field_message("token").is_some()));
    let forged = email_links::verify_email(db, &issuer, &[], &[], "not-a-real-token").await;
    assert!(forged.is_err_and(|e| e.field_message("token").is_some()));
}

async fn a_password_reset_answers_the_same_for_any_address_and_ends_every_session(
    db: &DatabaseConnection,
) {
    let issuer = test_issuer(db).await;
    create_account(db, ada(), Role::Learner, Verified::No)
        .await
        .expect("account");
    email_links::request_password_reset(db, SITE, "ADA.lovelace@example.nhs.uk")
        .await
        .expect("known");
    email_links::request_password_reset(db, SITE, "nobody@example.org")
        .await
        .expect("unknown: same answer");
    let nobody = mail_to(db, "nobody@example.org").await;
    assert_eq!(nobody.len(), 1);
    assert!(nobody[0].subject.contains("no Informatics Academy account"));

    let link = emailed_link(db, "ada.lovelace@example.nhs.uk", "/reset-password")
        .await
        .expect("link");
    let short = email_links::reset_password(db, &issuer, &[], &[], &token_of(&link), "short").await;
    assert!(short.is_err_and(|e| e.field_message("new_password").is_some()));
    email_links::reset_password(
        db,
        &issuer,
        &[],
        &[],
        &token_of(&link),
        "a brand new passphrase",
    )
    .await
    .expect("a short password did not use up the link");
    assert!(
        sign_in(db, "ada.lovelace@example.nhs.uk", "analytical engine notes")
            .await
            .is_err()
    );
    let account = sign_in(db, "ada.lovelace@example.nhs.uk", "a brand new passphrase")
        .await
        .expect("the new password works");
    assert!(
        account.email_verified_at.is_some(),
        "following the link proved the address"
    );
    let reused = email_links::reset_password(
        db,
        &issuer,
        &[],
        &[],
        &token_of(&link),
        "yet another passphrase",
    )
    .await;
    assert!(reused.is_err(), "a reset link works once");
    assert!(
        mail_to(db, "ada.lovelace@example.nhs.uk")
            .await
            .iter()
            .any(|m| m.subject.contains("password was changed")),
        "the holder is told"
    );
}

async fn a_new_address_is_used_only_once_it_confirms(db: &DatabaseConnection) {
    let issuer = test_issuer(db).await;
    let holder = create_account(db, ada(), Role::Learner, Verified::Yes)
        .await
        .expect("account");
    let wrong = email_links::request_email_change(
        db,
        SITE,
        &holder,
        "ada@new.example.org",
        "wrong password",
        None,
    )
    .await;
    assert!(wrong.is_err_and(|e| e.field_message("email_password").is_some()));
    email_links::request_email_change(
        db,
        SITE,
        &holder,
        "Ada@New.example.org",
        "analytical engine notes",
        None,
    )
    .await
    .expect("asked");
    assert!(
        find_by_email(db, "ada.lovelace@example.nhs.uk")
            .await
            .expect("q")
            .is_some(),
        "unchanged until confirmed"
    );
    assert!(
        mail_to(db, "ada.lovelace@example.nhs.uk")
            .await
            .iter()
            .any(|m| m.body.contains("ada@new.example.org")),
        "the old address is told"
    );
    // A reset link sent to the old address before the move must stop working once the account has moved.
    email_links::request_password_reset(db, SITE, "ada.lovelace@example.nhs.uk")
        .await
        .expect("reset asked");
    let old_reset = emailed_link(db, "ada.lovelace@example.nhs.uk", "/reset-password")
        .await
        .expect("reset link");
    let link = emailed_link(db, "ada@new.example.org", "/confirm-email-change")
        .await
        .expect("link");
    email_links::confirm_email_change(db, &issuer, &[], &[], &token_of(&link))
        .await
        .expect("confirm");
    let stale = email_links::reset_password(
        db,
        &issuer,
        &[],
        &[],
        &token_of(&old_reset),
        "taken over by the old mailbox",
    )
    .await;
    assert!(stale.is_err(), "a link to the old address no longer works");
    let moved = sign_in(db, "ada@new.example.org", "analytical engine notes")
        .await
        .expect("new address signs in");
    assert_eq!(moved.id, holder.id);
    assert!(
        sign_in(db, "ada.lovelace@example.nhs.uk", "analytical engine notes")
            .await
            .is_err()
    );

    // An address with its own account: the same answer, and that address is told instead.
    create_account(
        db,
        Registration {
            email: "taken@example.org".into(),
            ..ada()
        },
        Role::Learner,
        Verified::Yes,
    )
    .await
    .expect("other account");
    let notices_before = mail_to(db, "ada@new.example.org").await.len();
    email_links::request_email_change(
        db,
        SITE,
        &moved,
        "taken@example.org",
        "analytical engine notes",
        None,
    )
    .await
    .expect("same answer");
    assert_eq!(
        mail_to(db, "ada@new.example.org").await.len(),
        notices_before + 1,
        "the account's own address is told either way, so its inbox cannot reveal a taken address"
    );
    assert!(
        emailed_link(db, "taken@example.org", "/confirm-email-change")
            .await
            .is_none()
    );
    assert!(
        mail_to(db, "taken@example.org")
            .await
            .iter()
            .any(|m| m.subject.contains("Someone tried to move"))
    );
}

on_both_databases!(
    learner_registers_verifies_and_signs_in_with_any_email_case,
    registering_an_existing_address_answers_the_same_and_emails_its_owner,
    a_wrong_password_gives_a_vague_error,
    guessing_one_accounts_password_is_slowed_down,
    create_admin_makes_a_verified_admin_and_never_takes_over_an_existing_address,
    a_role_goes_only_to_a_verified_address,
    an_unverified_learner_learns_but_joins_and_earns_only_once_verified,
    an_expired_link_does_not_work,
    a_password_reset_answers_the_same_for_any_address_and_ends_every_session,
    a_new_address_is_used_only_once_it_confirms,
);
