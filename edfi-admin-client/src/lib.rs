//! A typed, async client for the Ed-Fi ODS/API Admin API v2 (2.3), generated with progenitor from
//! the kept spec in `spec/`, with a hand-written layer on top.
//!
//! - All 63 operations through [`Client::raw`], and all of them through resource handlers too
//!   ([`Client::vendors`], [`Client::applications`], [`Client::api_clients`],
//!   [`Client::claim_sets`], [`Client::profiles`], [`Client::ods_instances`],
//!   [`Client::ods_instance_contexts`], [`Client::ods_instance_derivatives`],
//!   [`Client::security`], [`Client::tenants`], [`Client::information`], [`register`]) that turn
//!   a 201's relative `Location` into the new id and return credentials with the secret as a
//!   secret.
//! - OAuth2 client credentials (form fields, scope `edfi_admin_api/full_access`), refreshed by
//!   [`edu_common`]; [`register`] checks the documented secret rules before sending; a `tenant`
//!   header per client.
//! - Every paged list as a lazy offset stream ([`Client::paged`] for filters and ordering);
//!   `application/problem+json` errors typed by [`error::admin_error`].
//! - With the `mock` feature, [`mock::Simulator`] is a stateful fake of the Admin API.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod client;
pub mod error;
#[allow(missing_docs)]
#[rustfmt::skip]
// The kept specs write links as bare URLs; the generated docs keep the specs' text.
#[allow(rustdoc::bare_urls)]
mod generated;
#[cfg(feature = "mock")]
pub mod mock;
pub mod resources;

edu_common::impl_client_hooks!(generated::Client);

pub use client::{
    Client, ClientBuilder, SCOPE, check_client_secret, created_id, id_from_location, register,
};
pub use generated::types;
#[allow(deprecated)]
pub use resources::Credentials;
pub use resources::{ApplicationCredentials, NewApplication, NewVendor};

// Every type the API's signatures mention, so one dependency line is enough.
pub use edu_common::paginate::{ItemStream, Page, PageInfo, PageStream};
#[cfg(feature = "redis")]
pub use edu_common::shared::RedisStore;
pub use edu_common::{
    self, Error, HttpError, RateLimitReason, Result, RetryConfig, TimeoutKind, Url, secrecy,
};
pub use {chrono, serde_json, uuid};
