//! The listing of `GET /candidates`, page after page by `meta.cursor`.

use edu_common::Error;
use edu_common::paginate::{self, ItemStream, Page};

use crate::candidates::{Candidate, Candidates};
use crate::client::Client;
use crate::envelope::Envelope;

impl Candidates<'_> {
    /// `GET /candidates`: every candidate, as a listing (`.page_size(n)`, `.stream()`,
    /// `.pages()`), following `meta.cursor`.
    pub fn list(&self) -> ListCandidates {
        ListCandidates::new(self.client.clone())
    }
}

/// The listing of `GET /candidates`: pages follow `meta.cursor` until there is none.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until it is streamed"]
pub struct ListCandidates {
    client: Client,
    page_size: Option<u32>,
    start: Option<String>,
}

impl ListCandidates {
    /// The largest page the API serves.
    pub const MAX_PAGE_SIZE: u32 = 100;

    fn new(client: Client) -> Self {
        ListCandidates {
            client,
            page_size: None,
            start: None,
        }
    }

    /// Candidates per request, 1 to 100 (checked when the listing starts; default 100).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Starts at this cursor (from a page's `next`) instead of the first page, to resume a
    /// listing (the same name as on the generated listings).
    pub fn start_after_cursor(mut self, cursor: impl Into<String>) -> Self {
        self.start = Some(cursor.into());
        self
    }

    /// The pages, each with its candidates and the cursor of the next.
    pub fn pages(self) -> paginate::PageStream<Candidate, String> {
        let page_size = self.page_size.unwrap_or(Self::MAX_PAGE_SIZE);
        if !(1..=Self::MAX_PAGE_SIZE).contains(&page_size) {
            return paginate::failed(Error::invalid_input(
                Some("pageSize"),
                format!("pageSize must be 1 to 100, not {page_size}"),
            ));
        }
        let client = self.client;
        paginate::pages_from(self.start, move |cursor: Option<String>| {
            let client = client.clone();
            async move {
                let env: Envelope<Vec<Candidate>> = client
                    .request(http::Method::GET, "candidates")
                    .operation("listCandidates")
                    .query("pageSize", page_size)
                    .query_opt("cursor", cursor)
                    .send_json()
                    .await?;
                Ok(Page::new(
                    env.data,
                    env.meta.cursor.filter(|c| !c.is_empty()),
                ))
            }
        })
    }

    /// The candidates, lazily, page after page.
    pub fn stream(self) -> ItemStream<Candidate> {
        paginate::items(self.pages())
    }
}
