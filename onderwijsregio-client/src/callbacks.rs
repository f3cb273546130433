//! Verifying (and, for tests and the simulator, signing) the Mutation Engine's callbacks, in
//! the same shape as Eduframe's webhooks (`Verifier`, `Signer`, `verify`, `tolerance`,
//! `Verified`; the shared pieces are in `edu_common::webhook`).
//!
//! Each callback is a POST with three headers: `x-mutationengine-timestamp`,
//! `x-mutationengine-nonce` and `x-mutationengine-signature: v2=<base64 HMAC-SHA256>`, keyed with
//! the region's signing secret over the callback URL's path and query, the raw body, the
//! timestamp and the nonce. [`Verifier::verify`] checks, in this order and before reading the
//! body: the headers are present, the timestamp is within the tolerance, one of the `v2=`
//! signatures matches the primary or the secondary secret (constant time), and the callback
//! (a digest of its signed bytes, nonce included) was not accepted before (the [`ReplayGuard`], in-process by default, in Redis with the `redis`
//! feature so that replicas refuse a callback another accepted). It returns the checked bytes
//! ([`Verified`]); [`Verified::parse`] (or [`parse`] on bytes taken from a queue) decodes them.
//!
//! With the `intake` feature, a [`Verifier`] is an `edu_common::webhook::intake::Authenticate`:
//! mount it in an intake and a callback is answered 2xx only once it is stored.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use onderwijsregio_client::callbacks::{Signer, Verifier};
//! let body = br#"{"idempotencyKey":"k1","status":"succeeded"}"#;
//! let headers = Signer::new("whsec_test").sign("/hooks/onderwijsregio?tenant=7", body, 1_700_000_000, "n-1");
//! let verifier = Verifier::new("whsec_test").with_clock(|| 1_700_000_010);
//! let verified = verifier.verify("/hooks/onderwijsregio?tenant=7", &headers, body).await?;
//! assert_eq!(verified.parse()?.idempotency_key.as_deref(), Some("k1"));
//! // The same nonce again is refused.
//! assert!(verifier.verify("/hooks/onderwijsregio?tenant=7", &headers, body).await.is_err());
//! # Ok(()) }
//! ```

use std::sync::Arc;

use base64::Engine as _;
use edu_common::webhook::{self, Checks};
use http::{HeaderMap, HeaderValue};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Map, Value};

#[cfg(feature = "redis")]
pub use edu_common::webhook::SharedReplayGuard;
pub use edu_common::webhook::{MemoryReplayGuard, ReplayGuard, SecretSlot, SignatureError};

/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-mutationengine-timestamp";
/// The nonce header.
pub const NONCE_HEADER: &str = "x-mutationengine-nonce";
/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-mutationengine-signature";

/// How the signed bytes are laid out from their four inputs: `(path_and_query, body, timestamp,
/// nonce) -> message`. The API documents the inputs but not their order or delimiters, so the
/// layout is a setting of [`Verifier::layout`] and [`Signer::layout`]; [`signed_message`] is the
/// default.
pub type Layout = Arc<dyn Fn(&str, &[u8], &str, &str) -> Vec<u8> + Send + Sync>;

/// The default layout of the signed bytes.
///
/// The API documents what is signed (the callback URL's path and query, the raw body, the
/// timestamp and the nonce) but not the exact layout. The default is `timestamp`, `.`, `nonce`,
/// `.`, `path_and_query`, `.`, then the raw body bytes. If your region's layout differs, give
/// yours to [`Verifier::layout`] (and [`Signer::layout`]) without forking the crate:
///
/// ```
/// # async fn demo() {
/// use onderwijsregio_client::callbacks::{Signer, Verifier};
/// // Say the region signs `timestamp\npath\nbody`:
/// let layout = |path: &str, body: &[u8], ts: &str, _nonce: &str| {
///     [ts.as_bytes(), b"\n", path.as_bytes(), b"\n", body].concat()
/// };
/// let signer = Signer::new("s3cret").layout(layout);
/// let verifier = Verifier::new("s3cret").layout(layout).with_clock(|| 1_700_000_000);
/// let headers = signer.sign("/hooks", b"{}", 1_700_000_000, "n-1");
/// assert!(verifier.verify("/hooks", &headers, b"{}").await.is_ok());
/// // The default layout does not verify what the other signed.
/// let default = Verifier::new("s3cret").with_clock(|| 1_700_000_000);
/// assert!(default.verify("/hooks", &headers, b"{}").await.is_err());
/// # }
/// ```
pub fn signed_message(path_and_query: &str, body: &[u8], timestamp: &str, nonce: &str) -> Vec<u8> {
    let mut m =
        Vec::with_capacity(timestamp.len() + nonce.len() + path_and_query.len() + body.len() + 3);
    m.extend_from_slice(timestamp.as_bytes());
    m.push(b'.');
    m.extend_from_slice(nonce.as_bytes());
    m.push(b'.');
    m.extend_from_slice(path_and_query.as_bytes());
    m.push(b'.');
    m.extend_from_slice(body);
    m
}

/// The most `v2=` values one header may carry (one per secret in use: two during a rotation).
const MAX_SIGNATURES: usize = 8;

/// A callback's decoded payload.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Callback {
    /// The idempotency key of the write it reports on, when present.
    pub idempotency_key: Option<String>,
    /// The outcome as the server words it (`succeeded`, `failed`...), when present.
    pub status: Option<String>,
    /// The whole payload (its fields are not documented).
    pub raw: Map<String, Value>,
}

#[derive(Deserialize)]
struct Known {
    #[serde(rename = "idempotencyKey", default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    status: Option<Value>,
}

/// Decodes a callback's raw body (after [`Verifier::verify`]: from a queue, say). A body that
/// is not a JSON object is an [`edu_common::Error::Decode`].
pub fn parse(body: &[u8]) -> edu_common::Result<Callback> {
    let raw: Map<String, Value> = edu_common::Error::decode_json("callback", body)?;
    let known: Known = edu_common::Error::decode_json("callback", body)?;
    Ok(Callback {
        idempotency_key: known.idempotency_key,
        status: known.status.map(|s| match s {
            Value::String(s) => s,
            other => other.to_string(),
        }),
        raw,
    })
}

/// A callback whose signature checked out: its raw bytes, to parse now or queue and parse later.
#[derive(Debug, Clone)]
pub struct Verified<'b> {
    body: &'b [u8],
    timestamp: u64,
    nonce: String,
    slot: SecretSlot,
}

impl<'b> Verified<'b> {
    /// The raw body, exactly as signed.
    pub fn body(&self) -> &'b [u8] {
        self.body
    }

    /// The signed timestamp (Unix seconds).
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The nonce.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// Which secret matched.
    pub fn secret(&self) -> SecretSlot {
        self.slot
    }

    /// The decoded payload.
    pub fn parse(&self) -> edu_common::Result<Callback> {
        parse(self.body)
    }
}

/// Verifies callbacks. Cheap to clone; clones share the replay guard.
#[derive(Clone)]
pub struct Verifier {
    checks: Checks,
    layout: Layout,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("checks", &self.checks)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the region's signing secret, with a 5-minute tolerance and an in-process
    /// replay guard.
    pub fn new(primary: impl Into<SecretString>) -> Self {
        Verifier {
            checks: Checks::new(primary),
            layout: Arc::new(signed_message),
        }
    }

    edu_common::delivery_verifier_setters!();

    /// The layout of the signed bytes (default [`signed_message`]).
    pub fn layout(
        mut self,
        layout: impl Fn(&str, &[u8], &str, &str) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        self.layout = Arc::new(layout);
        self
    }

    /// Verifies a callback received at `path_and_query` with these headers and raw body: the
    /// headers, the timestamp, the signature, and the replay guard.
    pub async fn verify<'b>(
        &self,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<Verified<'b>, SignatureError> {
        let (verified, message) = self.signed(path_and_query, headers, body)?;
        self.checks
            .first_sighting(verified.timestamp, &message)
            .await?;
        Ok(verified)
    }

    /// Checks the headers, the timestamp and the signature, **not** the replay guard: for a
    /// receiver whose store refuses a callback it holds already (the intake,
    /// `edu_common::webhook::intake`), so that a callback is remembered only once it is stored.
    pub fn verify_signature<'b>(
        &self,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<Verified<'b>, SignatureError> {
        self.signed(path_and_query, headers, body)
            .map(|(verified, _)| verified)
    }

    /// The checks before the replay guard, and the signed bytes.
    fn signed<'b>(
        &self,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<(Verified<'b>, Vec<u8>), SignatureError> {
        let header = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or(SignatureError::MissingHeader { header: name })
        };
        let ts_text = header(TIMESTAMP_HEADER)?;
        let nonce = header(NONCE_HEADER)?;
        let signatures = header(SIGNATURE_HEADER)?;
        let ts: u64 = ts_text
            .parse()
            .ok()
            .filter(|_| ts_text.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(SignatureError::Malformed {
                header: TIMESTAMP_HEADER,
                reason: "not a Unix time in seconds",
            })?;
        self.checks.check_timestamp(ts)?;
        let candidates: Vec<Vec<u8>> = signatures
            .split([',', ' '])
            .filter_map(|part| part.trim().strip_prefix("v2="))
            .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .take(MAX_SIGNATURES)
            .collect();
        if candidates.is_empty() {
            return Err(SignatureError::Malformed {
                header: SIGNATURE_HEADER,
                reason: "there is no `v2=` base64 signature",
            });
        }
        let message = (self.layout)(path_and_query, body, ts_text, nonce);
        let slot = self.checks.signed_by(&message, &candidates)?;
        let verified = Verified {
            body,
            timestamp: ts,
            nonce: nonce.to_owned(),
            slot,
        };
        Ok((verified, message))
    }
}

#[cfg(feature = "intake")]
impl edu_common::webhook::intake::Authenticate for Verifier {
    fn api(&self) -> &'static str {
        "onderwijsregio"
    }

    fn authenticate<'a>(
        &'a self,
        path_and_query: &'a str,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> futures::future::BoxFuture<'a, Result<(), SignatureError>> {
        let checked = self
            .verify_signature(path_and_query, headers, body)
            .map(|_| ());
        Box::pin(std::future::ready(checked))
    }
}

/// Signs callbacks the way the Mutation Engine does (with [`signed_message`]'s layout unless
/// told otherwise).
#[derive(Clone)]
pub struct Signer {
    secret: SecretString,
    layout: Layout,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}

impl Signer {
    /// A signer with the region's secret.
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Signer {
            secret: secret.into(),
            layout: Arc::new(signed_message),
        }
    }

    /// The layout of the signed bytes (default [`signed_message`]).
    pub fn layout(
        mut self,
        layout: impl Fn(&str, &[u8], &str, &str) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        self.layout = Arc::new(layout);
        self
    }

    /// The base64 `v2` signature.
    pub fn signature(
        &self,
        path_and_query: &str,
        body: &[u8],
        timestamp: u64,
        nonce: &str,
    ) -> String {
        let message = (self.layout)(path_and_query, body, &timestamp.to_string(), nonce);
        base64::engine::general_purpose::STANDARD
            .encode(webhook::hmac::sign(&self.secret, &message))
    }

    /// The three headers of a signed callback.
    pub fn sign(
        &self,
        path_and_query: &str,
        body: &[u8],
        timestamp: u64,
        nonce: &str,
    ) -> HeaderMap {
        let mut h = HeaderMap::new();
        let sig = format!(
            "v2={}",
            self.signature(path_and_query, body, timestamp, nonce)
        );
        for (name, value) in [
            (TIMESTAMP_HEADER, timestamp.to_string()),
            (NONCE_HEADER, nonce.to_owned()),
            (SIGNATURE_HEADER, sig),
        ] {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        h
    }
}
