//! A typed, async client for the Edu-V Education API 1.1.1, generated with progenitor from the
//! kept spec in `spec/`, with a hand-written layer on top.
//!
//! - OAuth2 client credentials with scope `eduv.education`, authenticated by a client secret or by
//!   `private_key_jwt` ([`auth::PrivateKeyJwt`]), cached and refreshed by [`edu_common`].
//! - Schools are named with [`School`], which makes the forbidden combinations (a master id with
//!   `filterByOrgId`, an `orgId` without its type) impossible to write; [`StudyCode`] is validated.
//! - Values come with the `API-Version` header ([`Versioned`]); errors decode `StatusResponse`
//!   with its functional codes ([`error::status_response`]).
//! - With the `mock` feature, [`mock::Simulator`] serves schools and offerings offline and
//!   verifies `private_key_jwt` assertions.
#![doc = include_str!("../README.md")]
//!
//! ## Cargo features
//!
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub mod auth;
mod client;
pub mod error;
#[allow(missing_docs)]
#[rustfmt::skip]
// The kept specs write links as bare URLs; the generated docs keep the specs' text.
#[allow(rustdoc::bare_urls)]
mod generated;
#[cfg(feature = "mock")]
pub mod mock;
mod school;

pub use client::{
    Client, ClientBuilder, OrganisationsRequest, SCOPE, StudyOfferingsRequest,
    SubjectOfferingsRequest, Versioned,
};
pub use generated::types;
pub use school::{OrgIdSchool, OrgIdType, School, StudyCode};

/// Objects that can be marked `tobedeleted`.
pub trait Lifecycle {
    /// False when the server marked the object `tobedeleted` (or with a status this client does
    /// not know); a record without a status counts as active.
    fn is_active(&self) -> bool;
}

impl Lifecycle for types::Organisation {
    fn is_active(&self) -> bool {
        matches!(self.status, None | Some(types::OrganisationStatus::Active))
    }
}

impl Lifecycle for types::StudyOffering {
    fn is_active(&self) -> bool {
        matches!(self.status, None | Some(types::StudyOfferingStatus::Active))
    }
}

impl Lifecycle for types::SubjectOffering {
    fn is_active(&self) -> bool {
        matches!(
            self.status,
            None | Some(types::SubjectOfferingStatus::Active)
        )
    }
}

/// True unless the object is marked `tobedeleted`: `items.iter().filter(|o| is_active(*o))`.
pub fn is_active<T: Lifecycle>(item: &T) -> bool {
    item.is_active()
}

// Every type the API's signatures mention, so one dependency line is enough.
pub use edu_common::paginate::{ItemStream, Page, PageInfo, PageStream};
#[cfg(feature = "redis")]
pub use edu_common::shared::RedisStore;
pub use edu_common::{
    self, CallReport, Error, HttpError, RateLimitReason, RedirectRefusal, Result, RetryBudget,
    RetryConfig, RetryReason, TimeoutKind, Url, Waits, report, secrecy,
};
pub use {chrono, serde_json, uuid};
