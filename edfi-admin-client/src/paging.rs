//! Page sizes and offsets as the API takes them (used by the generated listings).

use edu_common::{Error, Result};

/// The page size of the list streams.
pub const PAGE_SIZE: u64 = 100;

/// The page size a listing asks for: the caller's (at least 1), or [`PAGE_SIZE`].
pub(crate) fn page_size(n: Option<u32>) -> Result<u32> {
    match n {
        None => Ok(PAGE_SIZE as u32),
        Some(0) => Err(Error::invalid_input(
            Some("limit"),
            "the page size must be at least 1",
        )),
        Some(n) => Ok(n),
    }
}

/// An offset or limit as the API's 32-bit integer.
pub(crate) fn window(n: u64) -> Result<i32> {
    i32::try_from(n)
        .map_err(|_| Error::invalid_input(Some("offset"), "beyond the API's 32-bit range"))
}
