//! One token request at the token endpoint, its retries, and reading its answer.

use std::time::Duration;

use http::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::time::Instant;
use tracing::Instrument;

use super::oauth2::{ClientAuth, OAuth2Provider};
use super::token_cache::{AccessToken, MAX_TOKEN_LIFETIME};
use crate::error::{Error, Result, TimeoutKind};

#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<NumberOrString>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(f64),
    Text(String),
}

/// The largest token response read: a token response is a few hundred bytes, so a body over
/// this is not a token endpoint's answer.
pub const MAX_TOKEN_BODY_BYTES: usize = 64 * 1024;
/// Attempts per token request.
const TOKEN_ATTEMPTS: u32 = 3;
/// The base and cap of the token request's full-jitter backoff.
const TOKEN_BACKOFF: (Duration, Duration) = (Duration::from_millis(250), Duration::from_secs(2));

/// The attempts a token fetch made and the last status it got, for its report.
#[derive(Default)]
struct Tried(std::sync::Mutex<(u32, Option<http::StatusCode>)>);

impl Tried {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u32, Option<http::StatusCode>)> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    fn attempt(&self, n: u32) {
        self.lock().0 = n;
    }
    fn answered(&self, status: http::StatusCode) {
        self.lock().1 = Some(status);
    }
    fn get(&self) -> (u32, Option<http::StatusCode>) {
        *self.lock()
    }
}

enum TokenFailure {
    /// Not worth repeating (refused credentials, a response that is not a token).
    Final(Error),
    /// Worth repeating, after `wait` when the server said.
    Retry {
        error: Error,
        wait: Option<Duration>,
    },
}

/// Decodes a successful token response (`access_token`, `token_type`, `expires_in`).
///
/// `expires_in` is read by one rule, whether it comes as a number or a string: a positive value
/// is the lifetime in seconds, clamped to 1 s ..= [`MAX_TOKEN_LIFETIME`]; zero, a negative value,
/// or anything that is not a number means "not said", and the configured default lifetime is
/// used. The body is never echoed in an error: it holds the token.
///
/// ```
/// # use edu_common::auth::parse_token_response;
/// # use std::time::Duration;
/// let t = parse_token_response(br#"{"access_token":"t","expires_in":"3600"}"#).unwrap();
/// assert_eq!(t.expires_in, Some(Duration::from_secs(3600)));
/// let t = parse_token_response(br#"{"access_token":"t","expires_in":"18446744073709551615"}"#).unwrap();
/// assert_eq!(t.expires_in, Some(edu_common::auth::MAX_TOKEN_LIFETIME));
/// let zero = parse_token_response(br#"{"access_token":"t","expires_in":0}"#).unwrap();
/// let zero_text = parse_token_response(br#"{"access_token":"t","expires_in":"0"}"#).unwrap();
/// assert_eq!((zero.expires_in, zero_text.expires_in), (None, None));
/// ```
pub fn parse_token_response(body: &[u8]) -> Result<AccessToken> {
    let parsed: TokenResponse = serde_json::from_slice(body).map_err(|e| Error::Auth {
        report: None,
        message: format!(
            "the token response was not understood ({} at line {} column {}); check that the token URL is the OAuth2 token endpoint",
            e.classify_name(),
            e.line(),
            e.column()
        ),
        status: None,
        transient: false,
        oauth_error: None,
    })?;
    if let Some(t) = parsed
        .token_type
        .as_deref()
        .filter(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        tracing::warn!(
            token_type = t,
            "token endpoint returned a non-bearer token type; sending it as a bearer token"
        );
    }
    let seconds = match parsed.expires_in {
        Some(NumberOrString::Number(n)) => Some(n),
        Some(NumberOrString::Text(s)) => s.trim().parse::<f64>().ok(),
        None => None,
    };
    // Whole milliseconds: a lifetime needs no more, and a number and its text (whose float
    // parses may differ in the last bit) then give the same lifetime.
    let expires_in = seconds.filter(|n| n.is_finite() && *n > 0.0).map(|n| {
        let secs = n.clamp(1.0, MAX_TOKEN_LIFETIME.as_secs_f64());
        Duration::from_millis((secs * 1000.0).round() as u64)
    });
    Ok(AccessToken {
        secret: parsed.access_token,
        expires_in,
    })
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

impl OAuth2Provider {
    /// Requests a new token (bypassing the cache).
    ///
    /// The request is retried like an idempotent one (a connection that could not be made, a
    /// timeout, a dropped response, 5xx, 429 with a `Retry-After` that fits), all within
    /// [`OAuth2Config::timeout`](super::OAuth2Config::timeout). The response body is capped at [`MAX_TOKEN_BODY_BYTES`].
    pub async fn fetch_token(&self, http: &reqwest::Client) -> Result<AccessToken> {
        let started = Instant::now();
        let last = Tried::default();
        let fetched = self.fetch_token_retrying(http, &last).await;
        // The token request is a call of its own in the caller's reports (`edu --verbose`
        // shows `POST …/oauth/token -> 401`): never its form, only the URL.
        let mut report = crate::report::CallReport::new(self.api, "token", http::Method::POST);
        report.url = crate::redact::url(&self.config.token_url);
        (report.attempts, report.status) = last.get();
        report.elapsed = started.elapsed();
        crate::report::deliver_token(&report);
        let outcome = match &fetched {
            Ok(_) => "ok",
            Err(Error::Auth {
                transient: false, ..
            }) => "refused",
            Err(_) => "failed",
        };
        crate::telemetry::token_fetch(self.api, outcome);
        fetched
    }

    async fn fetch_token_retrying(
        &self,
        http: &reqwest::Client,
        last: &Tried,
    ) -> Result<AccessToken> {
        let cfg = &self.config;
        let span = tracing::debug_span!("edu.token", token_url = %cfg.token_url.path(), status = tracing::field::Empty, attempts = tracing::field::Empty);
        async {
            let deadline = crate::limiter::later(Instant::now(), cfg.timeout);
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                tracing::Span::current().record("attempts", attempt);
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(self.token_timeout());
                }
                last.attempt(attempt);
                let retry = match self.token_attempt(http, remaining, last).await {
                    Ok(token) => return Ok(token),
                    Err(TokenFailure::Final(e)) => return Err(e),
                    Err(TokenFailure::Retry { error, wait }) => (error, wait),
                };
                let (error, wait) = retry;
                let wait = wait.unwrap_or_else(|| {
                    crate::retry::full_jitter(TOKEN_BACKOFF.0, TOKEN_BACKOFF.1, attempt)
                });
                if attempt >= TOKEN_ATTEMPTS || crate::limiter::later(Instant::now(), wait) >= deadline {
                    return Err(error);
                }
                tracing::debug!(error = %error, wait_ms = wait.as_millis() as u64, "token request failed: retrying");
                tokio::time::sleep(wait).await;
            }
        }
        .instrument(span)
        .await
    }

    fn token_timeout(&self) -> Error {
        Error::Timeout {
            report: None,
            kind: TimeoutKind::Token,
            after: self.config.timeout,
        }
    }

    /// One token request.
    async fn token_attempt(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
        last: &Tried,
    ) -> std::result::Result<AccessToken, TokenFailure> {
        let cfg = &self.config;
        let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".into())];
        if let Some(scope) = &cfg.scope {
            form.push(("scope", scope.clone()));
        }
        for (k, v) in &cfg.extra_params {
            form.push((k, v.clone()));
        }
        let mut req = http
            .post(cfg.token_url.clone())
            .header(http::header::ACCEPT, "application/json")
            .timeout(timeout);
        for (name, value) in &cfg.extra_headers {
            req = req.header(name, value);
        }
        match &cfg.client_auth {
            ClientAuth::Basic(secret) => {
                req = req.basic_auth(&cfg.client_id, Some(secret.expose_secret()));
            }
            ClientAuth::Form(secret) => {
                form.push(("client_id", cfg.client_id.clone()));
                form.push(("client_secret", secret.expose_secret().to_owned()));
            }
            ClientAuth::Assertion(a) => {
                let assertion = a
                    .assertion(&cfg.client_id, &cfg.token_url)
                    .map_err(TokenFailure::Final)?;
                form.push(("client_id", cfg.client_id.clone()));
                form.push(("client_assertion_type", a.assertion_type().to_owned()));
                form.push(("client_assertion", assertion.expose_secret().to_owned()));
            }
        }
        let origin = cfg.token_url.origin().ascii_serialization();
        let unreachable = |e: reqwest::Error| {
            if e.is_timeout() {
                TokenFailure::Retry {
                    error: self.token_timeout(),
                    wait: None,
                }
            } else {
                TokenFailure::Retry {
                    error: Error::Transport {
                        report: None,
                        origin: origin.clone(),
                        source: e.without_url(),
                    },
                    wait: None,
                }
            }
        };
        let mut req = req.form(&form).build().map_err(|e| {
            TokenFailure::Final(Error::Config(format!(
                "the token request could not be built: {}",
                e.without_url()
            )))
        })?;
        // Secrets go to the token URL's origin only: a redirect is never followed (and a caller's
        // HTTP client cannot replay the form): see `crate::redirect`.
        crate::redirect::unreplayable(&mut req);
        let resp =
            http.execute(req).await.map_err(|e| {
                match crate::redirect::failed_elsewhere(&e, &cfg.token_url, &cfg.token_url) {
                    Some(refused) => TokenFailure::Final(refused),
                    None => unreachable(e),
                }
            })?;
        let status = resp.status();
        last.answered(status);
        match crate::redirect::next_hop(
            &cfg.token_url,
            &http::Method::POST,
            status,
            resp.url(),
            resp.headers().get(http::header::LOCATION),
            &cfg.token_url,
        ) {
            Err(e) => return Err(TokenFailure::Final(e)),
            Ok(Some(hop)) => {
                return Err(TokenFailure::Final(Error::Auth {
                    report: None,
                    message: format!(
                        "the token endpoint answered {status} with a redirect to {}; the client secret is not re-sent on a redirect: configure that URL as the token URL",
                        hop.url.path()
                    ),
                    status: Some(status),
                    transient: false,
                    oauth_error: None,
                }));
            }
            Ok(None) => {}
        }
        tracing::Span::current().record("status", status.as_u16());
        let retry_after =
            crate::retry::parse_retry_after(resp.headers(), std::time::SystemTime::now());
        // Read the body with a small cap: a token response is a few hundred bytes (an error
        // body over it is cut, a token response over it refused).
        let (body, over) = match crate::body::read_capped(resp, MAX_TOKEN_BODY_BYTES).await {
            Ok(read) => read,
            Err(e) if e.is_timeout() => return Err(unreachable(e)),
            Err(e) => {
                return Err(TokenFailure::Retry {
                    error: Error::Interrupted {
                        report: None,
                        origin,
                        source: e.without_url(),
                    },
                    wait: None,
                });
            }
        };
        if over && status.is_success() {
            return Err(TokenFailure::Final(Error::Auth {
                report: None,
                message: format!(
                    "the token response is larger than {MAX_TOKEN_BODY_BYTES} bytes; check that the token URL is the OAuth2 token endpoint"
                ),
                status: Some(status),
                transient: false,
                oauth_error: None,
            }));
        }
        if !status.is_success() {
            let parsed = serde_json::from_slice::<OAuthErrorBody>(&body).ok();
            let (code, description) = parsed
                .map(|b| (b.error, b.error_description))
                .unwrap_or_default();
            let detail = [code.clone(), description]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            // Not an OAuth2 error body: the API's own reason (a validation problem, a message).
            let detail = if detail.is_empty() {
                serde_json::from_slice(&body)
                    .ok()
                    .as_ref()
                    .and_then(crate::error::extract_message)
                    .unwrap_or_else(|| crate::error::excerpt(&body[..body.len().min(200)]))
            } else {
                detail
            };
            let transient = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
            let remedy = match (code.as_deref(), status.as_u16()) {
                (Some("invalid_client"), _) | (None, 401) => {
                    "check the client id and secret (or key)"
                }
                (Some("invalid_scope"), _) => "check the scope the client asks for",
                (Some("unauthorized_client" | "unsupported_grant_type" | "invalid_grant"), _) => {
                    "check that this client may use the client-credentials grant"
                }
                (_, 429) => "the token endpoint is throttling; try again later",
                (_, s) if s >= 500 => "the token endpoint failed; try again later",
                (_, 404 | 405) => "check the token URL",
                _ => "check the client's settings and the token URL",
            };
            let error = Error::Auth {
                report: None,
                message: format!(
                    "the token endpoint answered {status}: {}; {remedy}",
                    crate::error::one_line(&detail, 300)
                ),
                status: Some(status),
                transient,
                oauth_error: code,
            };
            return Err(if transient {
                TokenFailure::Retry {
                    error,
                    wait: retry_after,
                }
            } else {
                TokenFailure::Final(error)
            });
        }
        parse_token_response(&body).map_err(|e| match e {
            Error::Auth {
                message,
                transient,
                oauth_error,
                ..
            } => TokenFailure::Final(Error::Auth {
                report: None,
                message,
                status: Some(status),
                transient,
                oauth_error,
            }),
            other => TokenFailure::Final(other),
        })
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "missing or mistyped field",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}
