//! The issuing organisation and its Ed25519 signing key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::EncodingKey;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, sea_query::OnConflict};
use std::path::{Path, PathBuf};

use super::credential::{PROFILE_TYPES, Profile};
use super::status_list::StatusList;
use crate::ssr::entities::issuer_key;

/// Why the issuer could not be set up or a record could not be signed or checked.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot read or write the signing key in {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the signing key file {path} is not a valid Ed25519 PKCS#8 key")]
    BadKey { path: PathBuf },
    #[error("database error while publishing the issuer key: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("signing failed: {0}")]
    Signing(String),
}

/// Who issues records, and the key that signs them now.
#[derive(Clone)]
pub struct Issuer {
    /// The site's public address, e.g. `https://academy.example.nhs.uk`; ids and links are built from it.
    pub base_url: String,
    pub name: String,
    pub kid: String,
    pub encoding_key: EncodingKey,
    /// The public key as a JWK (with `kid`), as published.
    pub public_jwk: serde_json::Value,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("base_url", &self.base_url)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// The issuer profile's id (it resolves to the profile JSON).
    pub fn profile_id(&self) -> String {
        format!("{}/issuer", self.base_url)
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.base_url)
    }

    pub fn record_url(&self, id: &str) -> String {
        format!("{}/records/{id}", self.base_url)
    }

    /// Where the status list holding a kind of record's bits is published.
    pub fn status_list_url(&self, list: StatusList) -> String {
        format!("{}{}", self.base_url, list.path())
    }

    /// The Open Badges issuer `Profile`: embedded in every record and published at [`Issuer::profile_id`].
    pub fn profile(&self) -> Profile {
        Profile {
            id: self.profile_id(),
            name: self.name.clone(),
            kind: PROFILE_TYPES.map(String::from),
            url: self.base_url.clone(),
        }
    }
}

fn key_error(path: &Path) -> impl FnOnce(std::io::Error) -> RecordError + '_ {
    move |source| RecordError::KeyFile {
        path: path.to_path_buf(),
        source,
    }
}

/// The public half of a key as a JWK.
pub fn public_jwk(key: &SigningKey, kid: &str) -> serde_json::Value {
    serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        "kid": kid,
        "use": "sig",
        "alg": "EdDSA",
    })
}

fn write_private_key(path: &Path, key: &SigningKey) -> Result<(), RecordError> {
    let der = key.to_pkcs8_der().map_err(|_| RecordError::BadKey {
        path: path.to_path_buf(),
    })?;
    crate::ssr::key_files::write_private_key(path, der.as_bytes()).map_err(key_error(path))
}

/// Creates a new signing key in `key_dir` (the newest key signs from now on).
pub fn generate_key(key_dir: &Path) -> Result<String, RecordError> {
    std::fs::create_dir_all(key_dir).map_err(key_error(key_dir))?;
    let seed: [u8; 32] = rand::random();
    let key = SigningKey::from_bytes(&seed);
    let suffix: u16 = rand::random();
    let kid = format!("{}-{suffix:04x}", Utc::now().format("%Y%m%dT%H%M%S"));
    write_private_key(&key_dir.join(format!("{kid}.pk8")), &key)?;
    Ok(kid)
}

/// The newest key file in `key_dir`, as (kid, key).
fn newest_key(key_dir: &Path) -> Result<Option<(String, SigningKey)>, RecordError> {
    let entries = match std::fs::read_dir(key_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(key_error(key_dir)(e)),
    };
    let mut kids: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".pk8"))
                .map(str::to_owned)
        })
        .collect();
    kids.sort();
    let Some(kid) = kids.pop() else {
        return Ok(None);
    };
    let path = key_dir.join(format!("{kid}.pk8"));
    let der = std::fs::read(&path).map_err(key_error(&path))?;
    let key =
        SigningKey::from_pkcs8_der(&der).map_err(|_| RecordError::BadKey { path: path.clone() })?;
    Ok(Some((kid, key)))
}

/// Loads this instance's newest signing key (creating one on first start) and publishes its public key.
pub async fn load_issuer(
    db: &DatabaseConnection,
    key_dir: &Path,
    base_url: &str,
    name: &str,
) -> Result<Issuer, RecordError> {
    let (kid, key) = match newest_key(key_dir)? {
        Some(found) => found,
        None => {
            generate_key(key_dir)?;
            newest_key(key_dir)?.ok_or_else(|| RecordError::BadKey {
                path: key_dir.to_path_buf(),
            })?
        }
    };
    let jwk = public_jwk(&key, &kid);
    issuer_key::Entity::insert(issuer_key::ActiveModel {
        kid: Set(kid.clone()),
        public_jwk: Set(jwk.to_string()),
        created_at: Set(Utc::now()),
        retired_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(issuer_key::Column::Kid)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let der = key.to_pkcs8_der().map_err(|_| RecordError::BadKey {
        path: key_dir.to_path_buf(),
    })?;
    Ok(Issuer {
        base_url: base_url.trim_end_matches('/').to_owned(),
        name: name.to_owned(),
        encoding_key: EncodingKey::from_ed_der(der.as_bytes()),
        kid,
        public_jwk: jwk,
    })
}

/// Every public key the academy has signed with, as a JWK Set document.
pub async fn jwk_set(db: &DatabaseConnection) -> Result<serde_json::Value, sea_orm::DbErr> {
    let keys: Vec<serde_json::Value> = issuer_key::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|k| serde_json::from_str(&k.public_jwk).ok())
        .collect();
    Ok(serde_json::json!({ "keys": keys }))
}
