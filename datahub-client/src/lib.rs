//! A typed, async client for the Passport "datahub" rostering Data API (Clever v1.1 style).
//!
//! - Every one of the API's 51 GET endpoints, through one handler per resource:
//!   `client.students().list()`, `client.districts().get(id)`, `client.sections().students(id)`.
//! - Listings are lazy `futures::Stream`s that follow the `next` link in the body (compared
//!   case-insensitively, resolved against the API base), or fetch pages by number concurrently
//!   with [`ListRequest::concurrent`], yielding records in order.
//! - OAuth2 client credentials (HTTP Basic at `{base}/datahub/oauth/token`), with the token
//!   cached, shared by clones, refreshed ahead of expiry and after a 401; retries, `Retry-After`
//!   and typed errors come from [`edu_common`].
//! - With the `mock` feature, [`mock::Simulator`] serves a generated district offline.
//!
//! ```no_run
//! # async fn demo() -> edu_common::Result<()> {
//! use futures::TryStreamExt;
//!
//! let client = datahub_client::Client::from_env()?; // DATAHUB_BASE_URL, _CLIENT_ID, _CLIENT_SECRET
//! let students: Vec<_> = client.students().list().limit(500).concurrent(8).stream().try_collect().await?;
//! println!("{} students", students.len());
//! # Ok(()) }
//! ```
#![doc = include_str!("../README.md")]
//!
//! ## Cargo features
//!
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod client;
pub mod envelope;
mod list;
#[cfg(feature = "mock")]
pub mod mock;
pub mod models;
mod page_body;
pub mod resources;

pub use client::{Client, ClientBuilder, DEFAULT_API_VERSION};
pub use list::{DEFAULT_PAGE_SIZE, ListRequest};
pub use models::*;

// Every type the API's signatures mention, so one dependency line is enough.
pub use edu_common::paginate::{ItemStream, Page, PageInfo, PageStream};
#[cfg(feature = "redis")]
pub use edu_common::shared::RedisStore;
pub use edu_common::{
    self, CallReport, Error, HttpError, RateLimitReason, RedirectRefusal, Result, RetryBudget,
    RetryConfig, RetryReason, TimeoutKind, Url, Waits, report, secrecy,
};
pub use serde_json;
