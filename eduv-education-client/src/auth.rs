//! `private_key_jwt` client authentication (RFC 7523), as the Edu-V agreements require for
//! machine-to-machine access.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use edu_common::auth::ClientAssertion;
use edu_common::{Error, Result, Url};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// Signs a fresh, short-lived JWT for every token request: `iss` = `sub` = client id,
/// `aud` = the token endpoint, a unique `jti`, `iat`, `exp`, and an optional `kid` header.
///
/// ```
/// # use eduv_education_client::auth::PrivateKeyJwt;
/// let pem = include_bytes!("../testdata/client-test-key.pem");
/// let signer = PrivateKeyJwt::from_pem(pem).unwrap().key_id("key-2026");
/// # let _ = signer;
/// ```
pub struct PrivateKeyJwt {
    key: EncodingKey,
    /// SHA-256 of the PEM: what only holders of the key know, for shared state.
    key_digest: [u8; 32],
    algorithm: Algorithm,
    key_id: Option<String>,
    lifetime: Duration,
}

impl std::fmt::Debug for PrivateKeyJwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKeyJwt")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

/// The claims of a client assertion.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AssertionClaims {
    /// Issuer: the client id.
    pub iss: String,
    /// Subject: the client id.
    pub sub: String,
    /// Audience: the token endpoint.
    pub aud: String,
    /// Unique id, so the server can refuse a replay.
    pub jti: String,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
}

impl PrivateKeyJwt {
    /// Loads an RSA (signs RS256) or EC P-256 (signs ES256) private key in PEM form.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        let (key, algorithm) = match EncodingKey::from_rsa_pem(pem) {
            Ok(k) => (k, Algorithm::RS256),
            Err(_) => (
                EncodingKey::from_ec_pem(pem).map_err(|_| {
                    Error::Config(
                        "the private key is neither an RSA nor an EC P-256 key in PEM form".into(),
                    )
                })?,
                Algorithm::ES256,
            ),
        };
        Ok(PrivateKeyJwt {
            key,
            key_digest: {
                use sha2::Digest as _;
                sha2::Sha256::digest(pem).into()
            },
            algorithm,
            key_id: None,
            lifetime: Duration::from_secs(60),
        })
    }

    /// Reads the PEM from a file.
    pub fn from_pem_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let pem = std::fs::read(path).map_err(|e| {
            Error::Config(format!(
                "could not read the private key {}: {e}",
                path.display()
            ))
        })?;
        Self::from_pem(&pem)
    }

    /// Sets the `kid` header (the key's id in the client's JWKS).
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// How long an assertion is valid (default 60 s).
    pub fn lifetime(mut self, d: Duration) -> Self {
        self.lifetime = d;
        self
    }

    /// The signing algorithm chosen from the key.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

impl ClientAssertion for PrivateKeyJwt {
    fn secret_identity(&self) -> Option<secrecy::SecretSlice<u8>> {
        Some(self.key_digest.to_vec().into())
    }

    fn assertion(&self, client_id: &str, token_url: &Url) -> Result<SecretString> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let claims = AssertionClaims {
            iss: client_id.to_owned(),
            sub: client_id.to_owned(),
            aud: token_url.to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now,
            exp: now + self.lifetime.as_secs(),
        };
        let mut header = Header::new(self.algorithm);
        header.kid = self.key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map(SecretString::from)
            .map_err(|e| Error::Auth {
                report: None,
                message: format!(
                    "could not sign the client assertion: {e}; check that the private key matches its algorithm"
                ),
                status: None,
                transient: false,
                oauth_error: None,
            })
    }
}
