//! Registering and signing in, on both databases.

use academy_tests::on_both_databases;
use app::api::accounts::Role;
use app::error::AppError;
use app::ssr::limits::Limits;
use app::ssr::services::accounts::{Registration, authenticate, create_admin, register};
use sea_orm::DatabaseConnection;

fn ada() -> Registration {
    Registration {
        email: "  Ada.Lovelace@Example.NHS.uk ".into(),
        display_name: "Dr Ada Lovelace".into(),
        password: "analytical engine notes".into(),
    }
}

async fn learner_registers_and_signs_in_with_any_email_case(db: &DatabaseConnection) {
    let account = register(db, ada(), Role::Learner).await.expect("register");
    assert_eq!(account.email, "ada.lovelace@example.nhs.uk");
    assert_eq!(account.role, "learner");
    assert!(
        account.password_hash.starts_with("$argon2id$"),
        "argon2id hash"
    );
    let signed_in = authenticate(
        db,
        &Limits::default(),
        "ADA.LOVELACE@example.nhs.uk",
        "analytical engine notes",
    )
    .await
    .expect("sign in");
    assert_eq!(signed_in.id, account.id);
}

async fn a_wrong_password_gives_a_vague_error(db: &DatabaseConnection) {
    register(db, ada(), Role::Learner).await.expect("register");
    let wrong = authenticate(
        db,
        &Limits::default(),
        "ada.lovelace@example.nhs.uk",
        "not the password",
    )
    .await
    .expect_err("wrong password");
    let unknown = authenticate(
        db,
        &Limits::default(),
        "nobody@example.org",
        "not the password",
    )
    .await
    .expect_err("unknown email");
    assert_eq!(wrong, unknown.clone().with_values_of(&wrong));
    assert_eq!(
        wrong.field_message("password").as_deref(),
        Some("The email address or password is incorrect.")
    );
}

async fn registering_an_email_twice_is_a_field_error(db: &DatabaseConnection) {
    register(db, ada(), Role::Learner).await.expect("first");
    let again = register(db, ada(), Role::Learner)
        .await
        .expect_err("second");
    assert!(matches!(again, AppError::Invalid { .. }));
    assert!(
        again
            .field_message("email")
            .is_some_and(|m| m.contains("already exists"))
    );
}

async fn create_admin_makes_a_new_admin_or_promotes_an_existing_account(db: &DatabaseConnection) {
    let admin = create_admin(
        db,
        Registration {
            email: "root@example.org".into(),
            display_name: "Site Admin".into(),
            password: "a very long admin passphrase".into(),
        },
    )
    .await
    .expect("create admin");
    assert_eq!(admin.role, "admin");

    let learner = register(db, ada(), Role::Learner).await.expect("register");
    let promoted = create_admin(
        db,
        Registration {
            password: "ignored for an existing account".into(),
            ..ada()
        },
    )
    .await
    .expect("promote");
    assert_eq!((promoted.id, promoted.role.as_str()), (learner.id, "admin"));
    authenticate(
        db,
        &Limits::default(),
        "ada.lovelace@example.nhs.uk",
        "analytical engine notes",
    )
    .await
    .expect("the existing password still works");
}

/// Compares errors regardless of the echoed email (which differs between the two cases by design).
trait SameShape {
    fn with_values_of(self, other: &AppError) -> AppError;
}

impl SameShape for AppError {
    fn with_values_of(self, other: &AppError) -> AppError {
        match (self, other) {
            (AppError::Invalid { errors, .. }, AppError::Invalid { values, .. }) => {
                AppError::Invalid {
                    errors,
                    values: values.clone(),
                }
            }
            (this, _) => this,
        }
    }
}

on_both_databases!(
    learner_registers_and_signs_in_with_any_email_case,
    a_wrong_password_gives_a_vague_error,
    registering_an_email_twice_is_a_field_error,
    create_admin_makes_a_new_admin_or_promotes_an_existing_account,
);
