//! The operation tables `cargo xtask generate` writes from the kept specs.

pub mod edfi_admin;
pub mod eduframe;
