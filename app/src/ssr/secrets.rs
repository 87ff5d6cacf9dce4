//! The secrets the academy hands out and later checks (emailed link tokens, sign-in states and nonces, LTI
//! states and tickets): made the same way, stored only as digests, compared without leaking through timing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh secret: 32 random bytes, URL-safe base64 (fits a link or a form field as it is).
pub fn random() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored instead of a secret: its SHA-256, hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether two secrets are equal, compared by their digests, so the time taken says nothing about how much
/// of a guess was right.
pub fn same(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}
