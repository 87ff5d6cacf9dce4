//! Verifiable completion records: Open Badges 3.0 AchievementCredentials signed as VC-JWTs (EdDSA).
//!
//! Keys: each server instance keeps its signing key as a PKCS#8 file in its key folder (never in the
//! database); every public key ever used is stored in the database and published as a JWK Set, so records
//! signed by a retired or another instance's key still verify.

pub mod credential;
pub mod issuer;
pub mod jwt;
pub mod status_list;

pub use issuer::{Issuer, RecordError};
