//! Password hashing with Argon2id (the argon2 crate's defaults follow OWASP's recommended parameters).
//!
//! Hashing is deliberately slow, so it runs on the blocking thread pool, never on the async workers.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;
use crate::ssr::error::internal;

/// A PHC-format Argon2id hash of `password` with a fresh random salt.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| internal("hashing a password", e))
    })
    .await
    .map_err(|e| internal("password hashing task", e))?
}

/// Whether `password` matches `hash`. A malformed stored hash counts as no match (and is logged).
pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash is malformed");
            false
        }
    })
    .await
    .map_err(|e| internal("password verification task", e))
}

/// A valid hash of a random password, verified against when an email is unknown so that a failed
/// sign-in takes the same time whether or not the account exists.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3GNDLKTv5HkzyK9XAKRJYqwJLfHWZ3ZaNUmY/yT4tUA"
}
