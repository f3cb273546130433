//! A typed, async client for the Onderwijsregio API v2 (candidates, asynchronous writes, signed
//! callbacks), hand-written on [`edu_common`].
//!
//! - `x-api-key` auth; production by default, [`ClientBuilder::preview`] one call away, sandbox
//!   mode per client ([`ClientBuilder::sandbox`], [`Client::with_sandbox`]), `meta.sandboxEnabled`
//!   visible on every response.
//! - The region's JSON Schema is fetched once per operation, cached, and every create and update
//!   is validated locally first, reporting every violation with its JSON pointer.
//! - Writes return an [`Accepted`] handle; each carries an idempotency key reused on every retry
//!   and an optional callback URL. [`callbacks::Verifier`] checks signed callbacks.
//! - With the `mock` feature, [`mock::Simulator`] is a stateful fake of the API.
#![doc = include_str!("../README.md")]
//!
//! ## Cargo features
//!
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub mod attachments;
pub mod callbacks;
mod candidate_list;
pub mod candidates;
mod client;
pub mod envelope;
pub mod interactions;
#[cfg(feature = "mock")]
pub mod mock;
pub mod schema;
mod wire;
pub mod write;

pub use candidate_list::ListCandidates;
pub use candidates::{
    BatchReport, Candidate, CandidateBuilder, CandidateUpdate, ConsentGiven, ConsentMissing,
    Outcome, Patch,
};
pub use client::{Client, ClientBuilder, PREVIEW, PRODUCTION};
pub use interactions::Interaction;
pub use write::{Accepted, WriteOptions};

// Every type the API's signatures mention, so one dependency line is enough.
pub use edu_common::paginate::{ItemStream, Page, PageInfo, PageStream};
#[cfg(feature = "redis")]
pub use edu_common::shared::RedisStore;
pub use edu_common::{
    self, CallReport, Error, HttpError, RateLimitReason, RedirectRefusal, Result, RetryBudget,
    RetryConfig, RetryReason, TimeoutKind, Url, Waits, report, secrecy,
};
pub use {serde_json, uuid};
