//! The id of a created resource, read from its `Location` header.

use edu_common::{Error, Result};

/// The id of a created resource, from the 201's relative `Location` (`/vendors/17`).
pub(crate) fn created_id(headers: &http::HeaderMap) -> Result<i32> {
    let location = headers
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            Error::Decode(Box::new(edu_common::DecodeError::new(
                "Location",
                "",
                "the 201 response has no Location header",
                b"",
            )))
        })?;
    id_from_location(location)
}

/// `/vendors/17` → 17 (the last path segment; a query or trailing slash is ignored).
pub fn id_from_location(location: &str) -> Result<i32> {
    let path = location.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            Error::Decode(Box::new(edu_common::DecodeError::new(
                "Location",
                "",
                format!("`{location}` does not end in a numeric id"),
                location.as_bytes(),
            )))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(id_from_location("/vendors/17").unwrap(), 17);
        assert_eq!(id_from_location("/applications/3/").unwrap(), 3);
        assert_eq!(
            id_from_location("https://h/adminapi/claimSets/9?x=1").unwrap(),
            9
        );
        assert!(id_from_location("/vendors/abc").is_err());
        assert!(id_from_location("").is_err());
    }
}
