//! A typed, async client for the Ed-Fi ODS/API Admin API v2 (2.3), generated with progenitor from
//! the kept spec in `spec/`, with a hand-written layer on top.
//!
//! - All 63 operations through [`Client::raw`]; resource handlers for the common tasks
//!   ([`Client::vendors`], [`Client::applications`], [`Client::claim_sets`]) that turn a 201's
//!   relative `Location` into the new id and return credentials with the secret as a secret.
//! - OAuth2 client credentials (form fields, scope `edfi_admin_api/full_access`), refreshed by
//!   [`edu_common`]; [`register`] checks the documented secret rules before sending; a `tenant`
//!   header per client.
//! - Lists as offset streams; `application/problem+json` errors typed by [`error::admin_error`].
//! - With the `mock` feature, [`mock::Simulator`] is a stateful fake of the Admin API.
#![deny(missing_docs)]

mod client;
pub mod error;
#[allow(missing_docs)]
#[rustfmt::skip]
mod generated;
#[cfg(feature = "mock")]
pub mod mock;
pub mod resources;

edu_common::impl_client_hooks!(generated::Client);

pub use client::{
    Client, ClientBuilder, SCOPE, check_client_secret, created_id, id_from_location, register,
};
pub use generated::types;
pub use resources::{Credentials, NewApplication, NewVendor};
