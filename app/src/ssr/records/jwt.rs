//! VC-JWT: the credential itself is the JWS payload (VC-JOSE-COSE), signed with EdDSA (Ed25519).

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::Value;

use super::issuer::{Issuer, RecordError};

/// Why a VC-JWT did not verify; each reads as a reason shown to whoever checks the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the record is not a well-formed signed credential (JWT)")]
    Malformed,
    #[error("the record was signed with key `{0}`, which this issuer has not published")]
    UnknownKey(String),
    #[error(
        "the signature does not match the contents: the record has been altered or was not issued by us"
    )]
    BadSignature,
}

/// Signs a credential as a compact JWS with `typ: vc+jwt`.
pub fn sign(issuer: &Issuer, credential: &Value) -> Result<String, RecordError> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("vc+jwt".to_owned());
    header.cty = Some("vc".to_owned());
    header.kid = Some(issuer.kid.clone());
    jsonwebtoken::encode(&header, credential, &issuer.encoding_key)
        .map_err(|e| RecordError::Signing(e.to_string()))
}

/// Verifies a VC-JWT against a set of published keys and returns its payload (the credential).
pub fn verify(token: &str, keys: &[Jwk]) -> Result<Value, VerifyError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(VerifyError::Malformed);
    }
    let kid = header.kid.unwrap_or_default();
    let jwk = keys
        .iter()
        .find(|k| k.common.key_id.as_deref() == Some(kid.as_str()))
        .ok_or_else(|| VerifyError::UnknownKey(kid.clone()))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| VerifyError::UnknownKey(kid))?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => VerifyError::BadSignature,
            _ => VerifyError::Malformed,
        })
}

/// Parses a JWK Set document (`{"keys": [...]}`) or a single JWK.
pub fn parse_keys(document: &str) -> Result<Vec<Jwk>, serde_json::Error> {
    let value: Value = serde_json::from_str(document)?;
    match value.get("keys") {
        Some(keys) => serde_json::from_value(keys.clone()),
        None => Ok(vec![serde_json::from_value(value)?]),
    }
}
