//! Verifying (and, for tests and the simulator, signing) the Mutation Engine's callbacks.
//!
//! Each callback is a POST with three headers: `x-mutationengine-timestamp`,
//! `x-mutationengine-nonce` and `x-mutationengine-signature: v2=<base64 HMAC-SHA256>`, keyed with
//! the region's signing secret over the callback URL's path and query, the raw body, the
//! timestamp and the nonce. [`Verifier::verify`] checks, in this order and before parsing
//! anything: the headers are present, the timestamp is within the window, one of the `v2=`
//! signatures matches one of the secrets (constant-time), and the nonce has not been seen; only
//! then is the body decoded.
//!
//! ```
//! use onderwijsregio_client::callbacks::{Signer, Verifier};
//! let secret = "whsec_test";
//! let body = br#"{"idempotencyKey":"k1","status":"succeeded"}"#;
//! let headers = Signer::new(secret).sign("/hooks/onderwijsregio?tenant=7", body, 1_700_000_000, "n-1");
//! let verifier = Verifier::new([secret]).with_clock(|| 1_700_000_010);
//! let callback = verifier.verify("/hooks/onderwijsregio?tenant=7", &headers, body).unwrap();
//! assert_eq!(callback.idempotency_key.as_deref(), Some("k1"));
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::Sha256;

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
/// use onderwijsregio_client::callbacks::{Signer, Verifier};
/// // Say the region signs `timestamp\npath\nbody`:
/// let layout = |path: &str, body: &[u8], ts: &str, _nonce: &str| {
///     [ts.as_bytes(), b"\n", path.as_bytes(), b"\n", body].concat()
/// };
/// let signer = Signer::new("s3cret").layout(layout);
/// let verifier = Verifier::new(["s3cret"]).layout(layout).with_clock(|| 1_700_000_000);
/// let headers = signer.sign("/hooks", b"{}", 1_700_000_000, "n-1");
/// assert!(verifier.verify("/hooks", &headers, b"{}").is_ok());
/// // The default layout does not verify what the other signed.
/// let default = Verifier::new(["s3cret"]).with_clock(|| 1_700_000_000);
/// assert!(default.verify("/hooks", &headers, b"{}").is_err());
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

fn mac(secret: &[u8], message: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(message);
    m
}

/// Why a callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// A required header is missing or not text.
    #[error("callback refused: header `{0}` is missing or not valid text")]
    MissingHeader(&'static str),
    /// The timestamp is not a number of seconds.
    #[error("callback refused: the timestamp is not a Unix time in seconds")]
    BadTimestamp,
    /// The timestamp is outside the allowed window.
    #[error(
        "callback refused: its timestamp is {skew_secs} s away from now, outside the {window_secs} s window (old or replayed)"
    )]
    OutsideWindow {
        /// How far off the timestamp is.
        skew_secs: u64,
        /// The allowed window.
        window_secs: u64,
    },
    /// No signature matched.
    #[error(
        "callback refused: no valid v2 signature (tampered with, or signed with another secret)"
    )]
    BadSignature,
    /// The nonce was seen before within the window.
    #[error("callback refused: the nonce was already used (replay)")]
    Replayed,
    /// The signature was valid but the body is not a JSON object.
    #[error("callback payload is not a JSON object: {0}")]
    Payload(String),
}

/// Remembers nonces so a callback cannot be replayed within the window.
pub trait NonceStore: Send + Sync {
    /// Records `nonce` seen at `timestamp`; false if it was already recorded within `window`.
    fn check_and_record(&self, nonce: &str, timestamp: u64, window: Duration) -> bool;
}

/// A bounded in-memory [`NonceStore`]: entries older than the window are dropped, and beyond
/// `capacity` the oldest go first (a replay that old is then refused by the timestamp check
/// only if it is also outside the window, so keep the capacity above your callback rate × window).
#[derive(Debug)]
pub struct MemoryNonceStore {
    capacity: usize,
    inner: Mutex<Seen>,
}

/// Nonces by value, and in arrival order for eviction.
type Seen = (HashMap<String, u64>, VecDeque<(u64, String)>);

impl MemoryNonceStore {
    /// A store holding at most `capacity` nonces.
    pub fn new(capacity: usize) -> Self {
        MemoryNonceStore {
            capacity: capacity.max(1),
            inner: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }
}

impl Default for MemoryNonceStore {
    fn default() -> Self {
        MemoryNonceStore::new(100_000)
    }
}

impl NonceStore for MemoryNonceStore {
    fn check_and_record(&self, nonce: &str, timestamp: u64, window: Duration) -> bool {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (seen, order) = &mut *guard;
        let horizon = timestamp.saturating_sub(window.as_secs().saturating_mul(2));
        while let Some((ts, _)) = order.front() {
            if *ts >= horizon && order.len() < self.capacity {
                break;
            }
            if let Some((_, n)) = order.pop_front() {
                seen.remove(&n);
            }
        }
        if seen.contains_key(nonce) {
            return false;
        }
        seen.insert(nonce.to_owned(), timestamp);
        order.push_back((timestamp, nonce.to_owned()));
        true
    }
}

/// A verified callback.
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    /// The idempotency key of the write it reports on, when present.
    pub idempotency_key: Option<String>,
    /// The outcome as the server words it (`succeeded`, `failed`...), when present.
    pub status: Option<String>,
    /// The whole payload (its fields are not documented).
    pub raw: Map<String, Value>,
    /// The signed timestamp.
    pub timestamp: u64,
    /// The nonce.
    pub nonce: String,
}

#[derive(Deserialize)]
struct Known {
    #[serde(rename = "idempotencyKey", default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    status: Option<Value>,
}

type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Verifies callbacks. Cheap to clone; clones share the nonce store.
#[derive(Clone)]
pub struct Verifier {
    secrets: Vec<SecretString>,
    window: Duration,
    nonces: Arc<dyn NonceStore>,
    clock: Clock,
    layout: Layout,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &format!("[{} REDACTED]", self.secrets.len()))
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier accepting signatures by any of `secrets` (several during a rotation), with a
    /// 5-minute window and an in-memory nonce store.
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Self {
        Verifier {
            secrets: secrets
                .into_iter()
                .map(|s| SecretString::from(s.as_ref().to_owned()))
                .collect(),
            window: Duration::from_secs(300),
            nonces: Arc::new(MemoryNonceStore::default()),
            clock: Arc::new(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs()
            }),
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

    /// Sets the timestamp window (both directions).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Uses another nonce store (shared across processes, say).
    pub fn nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonces = store;
        self
    }

    /// Replaces the clock (Unix seconds), for tests.
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Verifies a callback received at `path_and_query` with these headers and raw body.
    pub fn verify(
        &self,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Callback, CallbackError> {
        let header = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or(CallbackError::MissingHeader(name))
        };
        let ts_text = header(TIMESTAMP_HEADER)?;
        let nonce = header(NONCE_HEADER)?;
        let signatures = header(SIGNATURE_HEADER)?;
        let ts: u64 = ts_text.parse().map_err(|_| CallbackError::BadTimestamp)?;
        let now = (self.clock)();
        let skew = now.abs_diff(ts);
        if skew > self.window.as_secs() {
            return Err(CallbackError::OutsideWindow {
                skew_secs: skew,
                window_secs: self.window.as_secs(),
            });
        }
        let message = (self.layout)(path_and_query, body, ts_text, nonce);
        let candidates: Vec<Vec<u8>> = signatures
            .split([',', ' '])
            .filter_map(|part| part.trim().strip_prefix("v2="))
            .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .collect();
        let valid = self.secrets.iter().any(|secret| {
            let expected = mac(secret.expose_secret().as_bytes(), &message);
            candidates
                .iter()
                .any(|sig| expected.clone().verify_slice(sig).is_ok())
        });
        if !valid {
            return Err(CallbackError::BadSignature);
        }
        if !self.nonces.check_and_record(nonce, ts, self.window) {
            return Err(CallbackError::Replayed);
        }
        let raw: Map<String, Value> =
            serde_json::from_slice(body).map_err(|e| CallbackError::Payload(e.to_string()))?;
        let known = Known::deserialize(Value::Object(raw.clone()))
            .map_err(|e| CallbackError::Payload(e.to_string()))?;
        Ok(Callback {
            idempotency_key: known.idempotency_key,
            status: known.status.map(|s| match s {
                Value::String(s) => s,
                other => other.to_string(),
            }),
            raw,
            timestamp: ts,
            nonce: nonce.to_owned(),
        })
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
    pub fn new(secret: impl Into<String>) -> Self {
        Signer {
            secret: SecretString::from(secret.into()),
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
        let m = mac(
            self.secret.expose_secret().as_bytes(),
            &(self.layout)(path_and_query, body, &timestamp.to_string(), nonce),
        );
        base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
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
