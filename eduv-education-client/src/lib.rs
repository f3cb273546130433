//! placeholder, replaced by the crate owner.
#![deny(missing_docs)]
#[allow(missing_docs)]
mod generated;
edu_common::impl_client_hooks!(generated::Client);
