//! The token desk every OAuth2 simulator keeps, and reading a bearer token.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The tokens a simulated token endpoint has issued, each with its expiry and a tag (the tenant it
/// belongs to, say; `()` when there is nothing to tell tokens apart by).
///
/// ```
/// use edu_common::mock::{TokenCheck, TokenDesk};
/// use std::time::Duration;
/// let mut desk: TokenDesk = TokenDesk::new("sim-token", Duration::from_secs(60));
/// let token = desk.issue(());
/// assert_eq!(token, "sim-token-1");
/// assert_eq!(desk.check(Some(&token)), TokenCheck::Valid(&()));
/// desk.expire_all();
/// assert_eq!(desk.check(Some(&token)), TokenCheck::Unknown);
/// assert_eq!(desk.check(None), TokenCheck::Missing);
/// assert_eq!(desk.issued(), 1);
/// ```
#[derive(Debug)]
pub struct TokenDesk<T = ()> {
    prefix: String,
    lifetime: Duration,
    issued: usize,
    live: HashMap<String, (T, Instant)>,
}

/// What [`TokenDesk::check`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenCheck<'a, T> {
    /// A live token, with its tag.
    Valid(&'a T),
    /// No token was presented.
    Missing,
    /// A token this desk never issued (or forgot with [`TokenDesk::expire_all`]).
    Unknown,
    /// A token past its lifetime.
    Expired,
}

impl<T> TokenCheck<'_, T> {
    /// True for [`TokenCheck::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, TokenCheck::Valid(_))
    }
}

impl<T> TokenDesk<T> {
    /// A desk issuing `{prefix}-1`, `{prefix}-2`... valid for `lifetime`.
    pub fn new(prefix: impl Into<String>, lifetime: Duration) -> Self {
        TokenDesk {
            prefix: prefix.into(),
            lifetime,
            issued: 0,
            live: HashMap::new(),
        }
    }

    /// The lifetime of new tokens (the `expires_in` to answer).
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Issues a token tagged `tag`.
    pub fn issue(&mut self, tag: T) -> String {
        self.issued += 1;
        let token = format!("{}-{}", self.prefix, self.issued);
        self.live
            .insert(token.clone(), (tag, Instant::now() + self.lifetime));
        token
    }

    /// Whether `token` (as presented, if at all) is live.
    pub fn check(&self, token: Option<&str>) -> TokenCheck<'_, T> {
        let Some(token) = token else {
            return TokenCheck::Missing;
        };
        match self.live.get(token) {
            None => TokenCheck::Unknown,
            Some((_, expiry)) if *expiry <= Instant::now() => TokenCheck::Expired,
            Some((tag, _)) => TokenCheck::Valid(tag),
        }
    }

    /// Forgets every token: the next request with one is refused.
    pub fn expire_all(&mut self) {
        self.live.clear();
    }

    /// How many tokens were issued.
    pub fn issued(&self) -> usize {
        self.issued
    }
}

/// The token of an `Authorization: Bearer ...` header (the scheme in any case).
pub fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
