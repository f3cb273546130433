//! The response envelopes: `{data, links}` for one record, `{data: [{data, uri}], paging, links}` for lists.

use serde::{Deserialize, Serialize};

/// A link in a response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The relation (`self`, `next`, `prev`...), in whatever case the server used.
    pub rel: String,
    /// The target, usually relative to the API base (`/v1/students?starting_after=...`).
    pub uri: String,
}

/// Page metadata of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    /// This page's number.
    #[serde(default)]
    pub current: Option<u64>,
    /// The number of pages.
    #[serde(default)]
    pub total: Option<u64>,
    /// The number of records.
    #[serde(default)]
    pub count: Option<u64>,
}

/// One record: `{"data": {...}, "links": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Item<T> {
    /// The record.
    pub data: T,
    /// Related links.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A record inside a list: `{"data": {...}, "uri": "/v1/students/<id>"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Wrapped<T> {
    /// The record.
    pub data: T,
    /// Its address.
    #[serde(default)]
    pub uri: Option<String>,
}

/// A page of a listing.
#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    /// The records.
    pub data: Vec<Wrapped<T>>,
    /// Page metadata (absent on some endpoints).
    #[serde(default)]
    pub paging: Option<Paging>,
    /// Links, including `next` when there is more.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A list of plain values: `{"data": ["1", "2"]}` (grade levels).
#[derive(Debug, Clone, Deserialize)]
pub struct Values<T> {
    /// The values.
    pub data: Vec<T>,
}

/// Finds the link with relation `rel`, compared case-insensitively (the docs write `NEXT`, servers send `next`).
pub fn find<'a>(links: &'a [Link], rel: &str) -> Option<&'a Link> {
    links.iter().find(|l| l.rel.eq_ignore_ascii_case(rel))
}
