//! Building a transport: its options, each with its default, and the URL and origin rules.

use super::*;

/// Transport settings a client's builder passes through unchanged (every client has them).
///
/// Start from `TransportOptions::default()` and set fields, or use the setters every client
/// builder has (see the `transport_option_setters!` macro).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TransportOptions {
    /// The retry policy (default [`RetryConfig::default`]).
    pub retry: Option<RetryConfig>,
    /// The per-attempt timeout.
    pub attempt_timeout: Option<Duration>,
    /// The whole-operation timeout.
    pub operation_timeout: Option<Duration>,
    /// The time limit for obtaining an OAuth2 token, retries included (OAuth2 clients only).
    pub token_timeout: Option<Duration>,
    /// The connect timeout.
    pub connect_timeout: Option<Duration>,
    /// The client-side rate limit: `Some(Some((n, window)))` to pace, `Some(None)` for none,
    /// `None` for the client's default.
    pub rate_limit: Option<Option<(u32, Duration)>>,
    /// A `reqwest::Client` of the caller's (its timeouts, proxy and TLS settings apply).
    pub http_client: Option<reqwest::Client>,
    /// A product token put first in the `User-Agent` (`my-app/1.2`).
    pub user_agent: Option<String>,
    /// A retry budget shared with other clients, by name (by default each client has its own).
    pub retry_budget: Option<RetryBudget>,
    /// Whether calls are made ready and not sent (see the `dry_run` setter).
    pub dry_run: bool,
    /// State shared with other replicas through Redis (feature `redis`).
    #[cfg(feature = "redis")]
    pub shared_state: Option<crate::shared::RedisStore>,
}

/// The [`TransportOptions`] setters every client builder offers: `retry`, `attempt_timeout` and
/// `operation_timeout`. Expand it inside the `impl` of a builder that has an
/// `options: TransportOptions` field:
///
/// ```
/// #[derive(Default)]
/// struct MyBuilder {
///     options: edu_common::TransportOptions,
/// }
/// impl MyBuilder {
///     edu_common::transport_option_setters!();
/// }
/// let b = MyBuilder::default().attempt_timeout(std::time::Duration::from_secs(5));
/// assert_eq!(b.options.attempt_timeout, Some(std::time::Duration::from_secs(5)));
/// ```
#[macro_export]
macro_rules! transport_option_setters {
    () => {
        /// The retry policy (default: `RetryConfig::default()`).
        pub fn retry(mut self, retry: $crate::retry::RetryConfig) -> Self {
            self.options.retry = Some(retry);
            self
        }

        /// The time limit of one attempt (default 30 s).
        pub fn attempt_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.attempt_timeout = Some(d);
            self
        }

        /// The time limit of a whole operation, retries and waits included (default 5 min).
        pub fn operation_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.operation_timeout = Some(d);
            self
        }

        /// The time limit for obtaining an access token, its retries included (default 10 s;
        /// used by clients that authenticate with OAuth2).
        pub fn token_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.token_timeout = Some(d);
            self
        }

        /// Shares the client-side rate budget, `Retry-After` pauses and OAuth2 tokens with every
        /// replica that uses the same Redis, API and credential (feature `redis`; see
        /// `edu_common::shared`).
        #[cfg(feature = "redis")]
        pub fn shared_state(mut self, store: $crate::shared::RedisStore) -> Self {
            self.options.shared_state = Some(store);
            self
        }

        /// The time limit for establishing a connection (default 10 s).
        pub fn connect_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.connect_timeout = Some(d);
            self
        }

        /// Paces requests to at most `max_requests` per `window`, shared by every clone of the
        /// client (and, with shared state, by every replica).
        pub fn rate_limit(mut self, max_requests: u32, window: ::std::time::Duration) -> Self {
            self.options.rate_limit = Some(Some((max_requests, window)));
            self
        }

        /// No client-side pacing (a 429 is still honoured with its `Retry-After`).
        pub fn no_rate_limit(mut self) -> Self {
            self.options.rate_limit = Some(None);
            self
        }

        /// Sends through this `reqwest::Client` (its proxy, TLS and pool settings apply; the
        /// client's per-attempt timeouts and origin checks still do too). Credentials still go
        /// only to the configured origin: the SDK sends every request with a body your client
        /// cannot replay, so it hands redirects back, and refuses any that leave the origin
        /// (`Error::Redirect`). Build it with `.redirect(reqwest::redirect::Policy::none())` for
        /// the whole guarantee with an API key in a header of its own (a `303` is otherwise
        /// followed by reqwest itself): see `edu_common::redirect`.
        pub fn http_client(mut self, client: $crate::reqwest::Client) -> Self {
            self.options.http_client = Some(client);
            self
        }

        /// Shares this retry budget with every other client given the same one (by default each
        /// client has its own, sized by `RetryConfig::budget_capacity`).
        pub fn retry_budget(mut self, budget: $crate::retry::RetryBudget) -> Self {
            self.options.retry_budget = Some(budget);
            self
        }

        /// Sends nothing: every call is made ready (path, query and body checked and encoded)
        /// and answers `Error::NotSent` with the request it would have sent, credentials left
        /// out. No token is fetched either. For previews (`edu --dry-run`) and for tests of
        /// what your code would send.
        pub fn dry_run(mut self) -> Self {
            self.options.dry_run = true;
            self
        }

        /// Puts your product first in the `User-Agent` (`my-app/1.2`), so API operators can
        /// tell your traffic apart.
        pub fn user_agent(mut self, product: impl Into<String>) -> Self {
            self.options.user_agent = Some(product.into());
            self
        }

        /// Uses the Redis at `EDU_REDIS_URL` as shared state when that variable is set;
        /// otherwise changes nothing. `from_env` calls it. Without the crate's `redis` feature
        /// a set `EDU_REDIS_URL` is an error that says so, never silently ignored.
        pub fn shared_state_from_env(self) -> $crate::error::Result<Self> {
            #[cfg(feature = "redis")]
            if let Some(store) = $crate::shared::RedisStore::from_env()? {
                return Ok(self.shared_state(store));
            }
            #[cfg(not(feature = "redis"))]
            if $crate::env::optional("EDU_REDIS_URL").is_some() {
                return Err($crate::error::Error::Config(format!(
                    "EDU_REDIS_URL is set, but {} was built without its `redis` feature, so nothing would be shared: enable the feature, or unset the variable",
                    env!("CARGO_PKG_NAME")
                )));
            }
            Ok(self)
        }
    };
}

/// Default cap on a response body: 32 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Builds a [`Transport`].
#[must_use]
pub struct TransportBuilder {
    base_url: String,
    credentials: Credentials,
    timeouts: Timeouts,
    retry: RetryConfig,
    rate_limit: Option<(u32, Duration)>,
    product: Option<String>,
    allow_insecure_http: bool,
    max_body_bytes: usize,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
    token_timeout: Option<Duration>,
    user_agent: Option<String>,
    retry_budget: Option<RetryBudget>,
    api: &'static str,
    request_id_headers: Vec<HeaderName>,
    dry_run: bool,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::RedisStore>,
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl TransportBuilder {
    /// A builder with every default, for the API at `base_url`.
    pub(super) fn new(base_url: String) -> Self {
        TransportBuilder {
            base_url,
            credentials: Credentials::None,
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
            rate_limit: None,
            product: None,
            allow_insecure_http: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            default_headers: HeaderMap::new(),
            http: None,
            dry_run: false,
            token_timeout: None,
            user_agent: None,
            retry_budget: None,
            api: "unnamed",
            request_id_headers: crate::report::DEFAULT_REQUEST_ID_HEADERS
                .iter()
                .map(|n| HeaderName::from_static(n))
                .collect(),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// Sets the credentials (default: none).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Replaces all time limits.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.timeouts.connect = d;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.timeouts.attempt = d;
        self
    }

    /// Sets the whole-operation timeout (all attempts and waits).
    pub fn operation_timeout(mut self, d: Duration) -> Self {
        self.timeouts.operation = d;
        self
    }

    /// Replaces the retry policy.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Shares this retry budget with every other transport given the same one (by default each
    /// transport has its own, of [`RetryConfig::budget_capacity`]).
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = Some(budget);
        self
    }

    /// Applies the options a client builder collected; unset ones keep their defaults.
    pub fn options(mut self, options: TransportOptions) -> Self {
        if let Some(r) = options.retry {
            self.retry = r;
        }
        if let Some(t) = options.attempt_timeout {
            self.timeouts.attempt = t;
        }
        if let Some(t) = options.operation_timeout {
            self.timeouts.operation = t;
        }
        if let Some(t) = options.token_timeout {
            self.token_timeout = Some(t);
        }
        if let Some(t) = options.connect_timeout {
            self.timeouts.connect = t;
        }
        if let Some(limit) = options.rate_limit {
            self.rate_limit = limit;
        }
        if let Some(client) = options.http_client {
            self.http = Some(client);
        }
        if let Some(product) = options.user_agent {
            self.user_agent = Some(product);
        }
        if let Some(budget) = options.retry_budget {
            self.retry_budget = Some(budget);
        }
        self.dry_run |= options.dry_run;
        #[cfg(feature = "redis")]
        if let Some(store) = options.shared_state {
            self.shared = Some(store);
        }
        self
    }

    /// Shares the rate budget, 429 pauses and OAuth2 tokens with every other client (in this
    /// or another process) that uses the same store, API and credential. See [`crate::shared`].
    #[cfg(feature = "redis")]
    pub fn shared_state(mut self, store: crate::shared::RedisStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// The time limit for obtaining an OAuth2 token, retries included (overrides
    /// [`OAuth2Config::timeout`](crate::auth::OAuth2Config::timeout)).
    pub fn token_timeout(mut self, d: Duration) -> Self {
        self.token_timeout = Some(d);
        self
    }

    /// Paces requests to at most `max_requests` per `window`, shared by every clone.
    pub fn rate_limit(mut self, max_requests: u32, window: Duration) -> Self {
        self.rate_limit = Some((max_requests, window));
        self
    }

    /// Removes the client-side rate limit.
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Names the client crate in the `User-Agent` (`name/version edu-common/x.y.z`).
    pub fn product(mut self, name: &str, version: &str) -> Self {
        self.product = Some(format!("{name}/{version}"));
        self
    }

    /// Names the API in metrics, spans and [`CallReport`](crate::report::CallReport)s (`eduframe`,
    /// `datahub`…; default `unnamed`). A fixed word: it is a metric label.
    pub fn api_name(mut self, api: &'static str) -> Self {
        self.api = api;
        self
    }

    /// Also reads the request id from this response header (the API's own), ahead of the
    /// [default ones](crate::report::DEFAULT_REQUEST_ID_HEADERS).
    pub fn request_id_header(mut self, name: &str) -> Result<Self> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
        self.request_id_headers.insert(0, name);
        Ok(self)
    }

    /// Allows plain `http://` to hosts other than loopback. Credentials then travel unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Caps response bodies (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Adds a header sent with every request (for example a tenant header).
    pub fn default_header(mut self, name: &str, value: &str) -> Result<Self> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::Config(format!(
                "the value for header `{name}` is not valid in a header"
            ))
        })?;
        self.default_headers.insert(name, value);
        Ok(self)
    }

    /// Uses a `reqwest::Client` you built. Its own timeouts and proxy settings apply instead of the
    /// transport's (per-attempt timeouts and origin checks still apply); its redirect policy only
    /// where the transport cannot stop it, see [`crate::redirect`].
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the transport. Fails on an invalid or insecure URL.
    pub fn build(mut self) -> Result<Transport> {
        if let (Some(t), Credentials::OAuth2(cfg)) = (self.token_timeout, &mut self.credentials) {
            cfg.timeout = t;
        }
        if let Credentials::OAuth2(cfg) = &self.credentials
            && cfg.timeout.is_zero()
        {
            return Err(Error::Config(
                "the token timeout must be greater than zero".into(),
            ));
        }
        let base_url = parse_base_url(&self.base_url)?;
        check_scheme(&base_url, self.allow_insecure_http)?;
        if let Some(token_url) = self.credentials.token_url() {
            check_scheme(token_url, self.allow_insecure_http)?;
        }
        if self.timeouts.attempt.is_zero() || self.timeouts.operation.is_zero() {
            return Err(Error::Config("timeouts must be greater than zero".into()));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::Config("max_attempts must be at least 1".into()));
        }
        let user_agent = [
            self.user_agent.clone(),
            self.product.clone(),
            Some(format!("edu-common/{}", env!("CARGO_PKG_VERSION"))),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let caller_client = self.http.is_some();
        let http = match self.http {
            Some(c) => {
                // A caller's own client has its own User-Agent: ours goes on every request instead.
                if let Ok(v) = HeaderValue::from_str(&user_agent) {
                    self.default_headers.insert(http::header::USER_AGENT, v);
                }
                if matches!(self.credentials, Credentials::ApiKey { .. })
                    && crate::redirect::follows_redirects(&c)
                {
                    tracing::warn!(
                        "the reqwest::Client given to this client follows redirects by itself: a 303 \
                         (or a 301/302 answering a POST) to another origin would carry the API key \
                         header there; build it with `.redirect(reqwest::redirect::Policy::none())` \
                         (the SDK follows same-origin redirects itself)"
                    );
                }
                c
            }
            None => {
                // reqwest is built without a crypto provider: rustls uses the process default,
                // which this installs unless the application installed one already.
                crate::tls::install_crypto_provider();
                reqwest::Client::builder()
                    .user_agent(user_agent)
                    .connect_timeout(self.timeouts.connect)
                    // The transport follows (same-origin) redirects itself: see `crate::redirect`.
                    .redirect(crate::redirect::own_policy())
                    .build()
                    .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?
            }
        };
        #[cfg(feature = "redis")]
        let shared = self.shared.map(|store| {
            let api = self
                .product
                .as_deref()
                .and_then(|p| p.split('/').next())
                .map(str::to_owned)
                .unwrap_or_else(|| base_url.host_str().unwrap_or("api").to_owned());
            let mut identity = origin_of(&base_url).into_bytes();
            identity.extend_from_slice(&self.credentials.identity());
            let ns = store.namespace(&api, &identity);
            let key = crate::shared::TokenKey::derive(&identity, &ns);
            crate::shared::Shared { store, ns, key }
        });
        #[cfg(feature = "redis")]
        let auth = self
            .credentials
            .into_provider_shared(self.api, shared.clone())?;
        #[cfg(not(feature = "redis"))]
        let auth = self.credentials.into_provider(self.api)?;
        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth,
                budget: self
                    .retry_budget
                    .unwrap_or_else(|| RetryBudget::new(self.retry.budget_capacity)),
                retry: self.retry,
                // A few milliseconds on the window cover clocks that count in whole milliseconds
                // (Redis's, for a shared budget); arrival delays are covered by in-flight slots.
                limiter: self
                    .rate_limit
                    .map(|(n, w)| RateLimit::new(n, w.saturating_add(CLOCK_MARGIN))),
                pause: PauseGate::default(),
                timeouts: self.timeouts,
                max_body_bytes: self.max_body_bytes,
                default_headers: self.default_headers,
                caller_client,
                api: self.api,
                request_id_headers: self.request_id_headers,
                dry_run: self.dry_run,
                #[cfg(feature = "redis")]
                shared,
            }),
        })
    }
}

fn parse_base_url(raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw)
        .map_err(|e| Error::Config(format!("base URL `{raw}` is not valid: {e}")))?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::Config(format!("base URL `{raw}` has no host")));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Checks a record id before it is put into a URL path: 1 to 128 ASCII letters, digits, `-` or
/// `_`. Anything else (a `/`, `..`, `?`, spaces) is refused, so an id can never change the path.
///
/// ```
/// assert!(edu_common::transport::path_id("530e5960049e75a9262cff3c").is_ok());
/// assert!(edu_common::transport::path_id("../admins").is_err());
/// ```
pub fn path_id(id: &str) -> Result<&str> {
    if !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id)
    } else {
        Err(Error::invalid_input(
            Some("id"),
            format!("`{id}` is not a valid record id"),
        ))
    }
}

/// `value` if it can stand as one path segment of the endpoint it is meant for: not empty, not
/// `.` and not `..` (the URL parser removes a dot segment, or climbs one level for `..`, so the
/// request would reach another endpoint); every other character is percent-encoded by the
/// caller. Otherwise an [`Error::InvalidInput`] naming `name`, before anything is sent.
///
/// ```
/// assert!(edu_common::transport::path_segment("tenant", "tenant1").is_ok());
/// assert!(edu_common::transport::path_segment("tenant", "a/b?c#%").is_ok());
/// for bad in ["", ".", ".."] {
///     assert!(edu_common::transport::path_segment("tenant", bad).is_err());
/// }
/// ```
pub fn path_segment<'v>(name: &str, value: &'v str) -> Result<&'v str> {
    match value {
        "" => Err(Error::invalid_input(
            Some(name),
            format!("`{name}` is empty; a path parameter needs a value"),
        )),
        "." | ".." => Err(Error::invalid_input(
            Some(name),
            format!(
                "`{name}` cannot be `{value}`: as a path segment it would call another endpoint"
            ),
        )),
        _ => Ok(value),
    }
}

/// The characters a path segment cannot hold as they are: the URL standard's path set, plus
/// `/` (which would start another segment) and `%` (which would read as an escape).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// `value` as one path segment: every character that would end or change the segment
/// percent-encoded (check it with [`path_segment`] first: `.` and `..` stay dot segments).
///
/// ```
/// use edu_common::transport::encode_segment;
/// assert_eq!(encode_segment("a/b?c#%"), "a%2Fb%3Fc%23%25");
/// assert_eq!(encode_segment("Été 7"), "%C3%89t%C3%A9%207");
/// ```
pub fn encode_segment(value: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::utf8_percent_encode(value, SEGMENT).into()
}

/// Whether `url` names a loopback host: `127.0.0.0/8`, `::1` or `localhost`, hosts that are this
/// machine whatever a resolver says. The one loopback check of the workspace: what a simulator
/// may contact (`mock::Outbound`) and, with `*.localhost` added, where plain http is allowed.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Where plain http needs no opt-in: a loopback host, or a `*.localhost` name (RFC 6761 keeps
/// those on this machine; only the scheme is decided here, no credential goes elsewhere).
fn is_local(url: &Url) -> bool {
    is_loopback(url)
        || matches!(url.host(), Some(url::Host::Domain(d)) if d.to_ascii_lowercase().ends_with(".localhost"))
}

fn check_scheme(url: &Url, allow_insecure: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure || is_local(url) => Ok(()),
        "http" => Err(Error::Config(format!(
            "`{}` uses plain http to a non-loopback host; use https, or opt in with `allow_insecure_http(true)`",
            origin_of(url)
        ))),
        other => Err(Error::Config(format!("unsupported URL scheme `{other}`"))),
    }
}

pub(super) fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Added to every rate-limit window: see where the limiter is built.
const CLOCK_MARGIN: Duration = Duration::from_millis(5);
