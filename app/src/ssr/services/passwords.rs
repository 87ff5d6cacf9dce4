//! Password hashing with Argon2id (the argon2 crate's defaults follow OWASP's recommended parameters).
//!
//! Hashing is deliberately slow and takes about 19 MiB per hash, so it runs on the blocking thread pool, never
//! on the async workers, and at most [`CONCURRENT_HASHES`] at a time: a flood of sign-ins queues for a
//! permit instead of exhausting memory, and one that waits too long is told the service is busy.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::ssr::error::internal;

/// How many Argon2id computations may run at once (about 19 MiB each).
pub const CONCURRENT_HASHES: usize = 4;

/// How long a sign-in waits for a hashing permit before it is told to try again.
const PERMIT_WAIT: Duration = Duration::from_secs(10);

static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(CONCURRENT_HASHES));

async fn permit() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    match tokio::time::timeout(PERMIT_WAIT, HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(e)) => Err(internal("password hashing permit", e)),
        Err(_) => {
            tracing::warn!("password hashing is saturated; a request was turned away");
            Err(AppError::Unavailable)
        }
    }
}

/// A PHC-format Argon2id hash of `password` with a fresh random salt.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _permit = permit().await?;
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
    let _permit = permit().await?;
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
