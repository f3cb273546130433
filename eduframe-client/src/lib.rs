//! A typed, async client for the Eduframe API v1 (183 operations) and its Organization API,
//! generated with progenitor from the kept specs in `spec/`, with a hand-written layer on top.
//!
//! - Every list as a lazy stream through one generic adapter ([`Client::list`]) that follows
//!   the `Link` header's `rel="next"` cursor, with `per_page` checked (1..=100, default 25).
//! - Bearer API key; a client-side limiter of 500 requests per 5 minutes shared by clones and by
//!   both APIs; `Retry-After` honoured on 429 by [`edu_common`].
//! - Error bodies `{errors, code, message}` typed by [`error::eduframe_error`]; webhook
//!   notifications typed by [`webhooks::parse`]; lenient booleans in [`serde_helpers`].
//! - With the `mock` feature, [`mock::Simulator`] fakes the main resources, the Organization
//!   contacts, cursors, `per_page` bounds and a real 500-per-5-minutes limiter.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod client;
pub mod contact;
pub mod error;
#[allow(missing_docs)]
#[rustfmt::skip]
// The kept specs write links as bare URLs; the generated docs keep the specs' text.
#[allow(rustdoc::bare_urls)]
mod generated;
#[allow(missing_docs)]
#[rustfmt::skip]
// The kept specs write links as bare URLs; the generated docs keep the specs' text.
#[allow(rustdoc::bare_urls)]
mod generated_organization;
#[cfg(feature = "mock")]
pub mod mock;
pub mod paginate;
pub mod serde_helpers;
pub mod webhooks;

edu_common::impl_client_hooks!(generated::Client);
edu_common::impl_client_hooks!(generated_organization::Client);

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_ORGANIZATION_BASE_URL, RATE_LIMIT_REQUESTS,
    RATE_LIMIT_WINDOW,
};
pub use contact::Contact;
pub use generated::types;
pub use paginate::ListRequest;

/// The Organization API's generated types.
pub mod organization_types {
    pub use crate::generated_organization::types::*;
}

// Every type the API's signatures mention, so one dependency line is enough.
pub use edu_common::paginate::{ItemStream, Page, PageInfo, PageStream};
#[cfg(feature = "redis")]
pub use edu_common::shared::RedisStore;
pub use edu_common::{
    self, Error, HttpError, RateLimitReason, Result, RetryConfig, TimeoutKind, Url, secrecy,
};
pub use {chrono, serde_json, uuid};
