//! One generic adapter for every Eduframe listing: cursor pagination through the `Link` header.

use std::marker::PhantomData;

use edu_common::paginate::{self, ItemStream, PageStream};
use edu_common::{Error, Result, Transport, Url};
use futures::StreamExt;
use serde::de::DeserializeOwned;

/// The page size a listing asks for when the caller does not choose one: the API's largest. The
/// API's own default is 25; under its 500 requests per 5 minutes a full sync makes a quarter of
/// the requests this way.
pub const DEFAULT_PER_PAGE: u32 = 100;
/// The largest page size the API accepts.
pub const MAX_PER_PAGE: u32 = 100;

/// The page size a listing asks for: the caller's, checked against the API's 1 to
/// [`MAX_PER_PAGE`], or [`DEFAULT_PER_PAGE`].
pub(crate) fn page_size(n: Option<u32>) -> Result<std::num::NonZeroU32> {
    let n = n.unwrap_or(DEFAULT_PER_PAGE);
    std::num::NonZeroU32::new(n)
        .filter(|n| n.get() <= MAX_PER_PAGE)
        .ok_or_else(|| {
            Error::invalid_input(
                Some("per_page"),
                format!("the page size (`per_page`) must be 1 to {MAX_PER_PAGE}, not {n}"),
            )
        })
}

/// A listing of `T` at some path, following `Link: <…>; rel="next"` until there is none.
///
/// ```no_run
/// # async fn demo(client: eduframe_client::Client) -> edu_common::Result<()> {
/// use futures::TryStreamExt;
/// let courses: Vec<eduframe_client::types::Course> =
///     client.list("courses").per_page(100).query("sort", "name").stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until it is streamed"]
pub struct Listing<T> {
    transport: Transport,
    url: Result<Url, String>,
    per_page: u32,
    query: Vec<(String, String)>,
    operation: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Listing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("url", &self.url.as_ref().map(Url::path))
            .field("per_page", &self.per_page)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> Listing<T> {
    pub(crate) fn new(transport: Transport, url: Result<Url>, operation: &'static str) -> Self {
        Listing {
            transport,
            url: url.map_err(|e| e.to_string()),
            per_page: DEFAULT_PER_PAGE,
            query: Vec::new(),
            operation,
            _t: PhantomData,
        }
    }

    /// Items per page, 1 to 100 (checked when the listing starts).
    pub fn page_size(mut self, n: u32) -> Self {
        self.per_page = n;
        self
    }

    /// The API's name for [`Self::page_size`].
    pub fn per_page(self, n: u32) -> Self {
        self.page_size(n)
    }

    /// A filter or sort parameter the endpoint takes (`sort=start_date:desc`, `min_cost=200`...).
    pub fn query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// The pages, each with its items.
    pub fn pages(self) -> PageStream<T, Url> {
        let first = match self.first_url() {
            Ok(u) => u,
            Err(e) => return futures::stream::once(async move { Err(e) }).boxed(),
        };
        paginate::link_header_pages(
            self.transport,
            first,
            self.operation,
            paginate::json_array::<T>(self.operation),
        )
    }

    /// The items, lazily.
    pub fn stream(self) -> ItemStream<T> {
        paginate::items(self.pages())
    }

    fn first_url(&self) -> Result<Url> {
        let per_page = page_size(Some(self.per_page))?;
        let mut url = self
            .url
            .clone()
            .map_err(|e| Error::invalid_input(Some("path"), e))?;
        url.query_pairs_mut()
            .append_pair("per_page", &per_page.to_string())
            .extend_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Ok(url)
    }
}
