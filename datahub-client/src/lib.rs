//! placeholder, replaced by the crate owner.
#![deny(missing_docs)]
