//! `edu-common`: the transport every client in this workspace stands on.
//!
//! - [`Transport`]: one `reqwest::Client` with timeouts, a `User-Agent`, tracing spans, and the
//!   policies below, shared by every clone. Every client builds its requests with
//!   [`Transport::get`] and friends, the generated operations included (typed query values
//!   through [`RequestBuilder::query_value`], path segments through
//!   [`transport::encode_segment`]); errors and [`CallReport`]s come back as values.
//! - [`auth`]: static bearer keys, API keys in any header, OAuth2 client credentials (Basic,
//!   form fields, or a client assertion such as `private_key_jwt`) with a single-flight token
//!   cache shared by clones, refreshed ahead of expiry, invalidated on 401.
//! - [`retry`]: classification, full-jitter backoff, a retry budget, and `Retry-After` in both
//!   forms, with a shared pause after a 429 and an optional client-side [`RateLimit`].
//! - [`paginate`]: lazy `futures::Stream`s over every paging style the APIs use.
//! - [`Error`]: one `#[non_exhaustive]` error enum with the details needed to act on a failure.
//!
//! ```no_run
//! # async fn demo() -> edu_common::Result<()> {
//! use edu_common::{auth::{ClientAuth, OAuth2Config}, Credentials, Transport};
//! use secrecy::SecretString;
//!
//! let transport = Transport::builder("https://api.example.org/v1")
//!     .credentials(Credentials::oauth2(OAuth2Config::new(
//!         "https://api.example.org/oauth/token".parse().unwrap(),
//!         "client-id",
//!         ClientAuth::Basic(SecretString::from("client-secret")),
//!     )))
//!     .rate_limit(500, std::time::Duration::from_secs(300))
//!     .build()?;
//! let status: serde_json::Value = transport.get("status").send_json().await?;
//! # Ok(()) }
//! ```
#![doc = include_str!("../README.md")]
//!
//! ## Cargo features
//!
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub mod auth;
mod body;
pub mod env;
pub mod error;
pub mod fields;
pub mod limiter;
pub mod link;
#[cfg(feature = "mock")]
pub mod mock;
pub mod paginate;
mod preview;
pub mod redact;
pub mod redirect;
pub mod report;
pub mod retry;
#[cfg(feature = "redis")]
pub mod shared;
pub mod telemetry;
mod tls;
pub mod transport;
#[cfg(feature = "webhooks")]
pub mod webhook;

pub use auth::Credentials;
pub use error::{
    DecodeError, Error, HttpError, RateLimitReason, Received, RedirectRefusal, Result, TimeoutKind,
};
pub use limiter::{RateLimit, WindowLog};
pub use paginate::{ItemStream, Page, PageInfo, PageStream};
pub use report::{CallReport, RetryReason, Waits};
pub use retry::{RetryBudget, RetryConfig};
pub use tls::install_crypto_provider;
pub use transport::{
    ApiResponse, CallOptions, RequestBuilder, Timeouts, Transport, TransportBuilder,
    TransportOptions,
};

/// Re-exported so clients and users name the same versions.
pub use reqwest;
pub use secrecy;
pub use url::Url;
