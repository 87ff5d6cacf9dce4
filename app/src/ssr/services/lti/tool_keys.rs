//! The academy's own key as an LTI tool: RS256, the algorithm every platform accepts. A VLE verifies with it
//! what the tool signs (a Deep Linking answer, the assertion that asks for a grade-passback token). Each
//! server instance makes its own on first start and keeps the private half in its key folder; the public
//! halves of all instances are published together at `/lti/jwks.json`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::EncodingKey;
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, QueryOrder};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::error::AppError;
use crate::ssr::entities::lti_tool_key;

/// The private key's file in an instance's key folder (PKCS#1 DER, readable by the server's user only).
pub const TOOL_KEY_FILE: &str = "lti-tool-key.der";
const KEY_BITS: usize = 2048;

/// Why the tool's key could not be read, made or published.
#[derive(Debug, thiserror::Error)]
pub enum ToolKeyError {
    #[error("cannot read or write the LTI tool key in {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the LTI tool key file {path} is not an RSA private key (PKCS#1 DER)")]
    BadKey { path: PathBuf },
    #[error("cannot make the LTI tool key: {0}")]
    Generate(String),
    #[error("database error while publishing the LTI tool key: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// This instance's tool key: its id, the signer, and the public half as published.
#[derive(Clone)]
pub struct ToolKey {
    pub kid: String,
    pub encoding_key: EncodingKey,
    pub public_jwk: serde_json::Value,
}

impl std::fmt::Debug for ToolKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> ToolKeyError + '_ {
    move |source| ToolKeyError::KeyFile {
        path: path.to_path_buf(),
        source,
    }
}

/// The public half as a JWK with its RFC 7638 thumbprint as `kid`.
fn public_jwk(key: &RsaPrivateKey) -> (String, serde_json::Value) {
    let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
    let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
    // The thumbprint's input: the required members in lexicographic order, no spaces (RFC 7638, 3.2).
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
    let jwk = serde_json::json!({ "kty": "RSA", "n": n, "e": e, "alg": "RS256", "use": "sig", "kid": kid });
    (kid, jwk)
}

/// Loads this instance's tool key from `key_dir` (making one on first start) and publishes its public half.
pub async fn load_or_create(
    db: &DatabaseConnection,
    key_dir: &Path,
) -> Result<ToolKey, ToolKeyError> {
    std::fs::create_dir_all(key_dir).map_err(file_error(key_dir))?;
    let path = key_dir.join(TOOL_KEY_FILE);
    let (key, der) = match std::fs::read(&path) {
        Ok(der) => {
            let key = RsaPrivateKey::from_pkcs1_der(&der)
                .map_err(|_| ToolKeyError::BadKey { path: path.clone() })?;
            (key, der)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = tokio::task::spawn_blocking(|| {
                RsaPrivateKey::new(&mut rsa::rand_core::OsRng, KEY_BITS)
            })
            .await
            .map_err(|e| ToolKeyError::Generate(e.to_string()))?
            .map_err(|e| ToolKeyError::Generate(e.to_string()))?;
            let der = key
                .to_pkcs1_der()
                .map_err(|e| ToolKeyError::Generate(e.to_string()))?
                .as_bytes()
                .to_vec();
            crate::ssr::key_files::write_private_key(&path, &der).map_err(file_error(&path))?;
            tracing::info!(path = %path.display(), "made this instance's LTI tool key");
            (key, der)
        }
        Err(e) => return Err(file_error(&path)(e)),
    };
    let (kid, jwk) = public_jwk(&key);
    lti_tool_key::Entity::insert(lti_tool_key::ActiveModel {
        kid: Set(kid.clone()),
        public_jwk: Set(jwk.to_string()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(lti_tool_key::Column::Kid)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(ToolKey {
        kid,
        encoding_key: EncodingKey::from_rsa_der(&der),
        public_jwk: jwk,
    })
}

/// The tool's keyset: every instance's public key, oldest first.
pub async fn keyset(db: &DatabaseConnection) -> Result<serde_json::Value, AppError> {
    let keys = lti_tool_key::Entity::find()
        .order_by_asc(lti_tool_key::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            crate::ssr::error::stored_json::<serde_json::Value>(
                "lti_tool_key",
                &row.kid,
                "public_jwk",
                &row.public_jwk,
            )
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(serde_json::json!({ "keys": keys }))
}
