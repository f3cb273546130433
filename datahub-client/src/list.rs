//! List requests: one builder for every listing, streamed with `edu-common`'s paginator.

use std::marker::PhantomData;

use bytes::Bytes;

use edu_common::paginate::{self, ItemStream, Page, PageInfo, PageStream};
use edu_common::{CallReport, Error, Result, Transport, Url};
use serde::de::DeserializeOwned;

use crate::envelope;
use crate::page_body;

/// The same envelope, owned, to say where a body that does not decode went wrong.
#[derive(serde::Deserialize)]
struct ListBodyOwned<T> {
    #[allow(dead_code)]
    data: Vec<DataOnlyOwned<T>>,
}

#[derive(serde::Deserialize)]
struct DataOnlyOwned<T> {
    #[allow(dead_code)]
    data: T,
}

/// The page size a listing asks for when the caller does not choose one: ten times the server's
/// default of 100, a tenth of its maximum of 10,000. A whole sync makes a tenth of the requests,
/// and a page of records (about 1 KiB each) stays far inside the client's body cap.
pub const DEFAULT_PAGE_SIZE: u32 = 1_000;

/// Query parameters that select a position; they are not carried over to `next` links.
const POSITIONAL: &[&str] = &["page", "starting_after", "ending_before", "search_token"];

/// A listing being built. Finish it with [`stream`](ListRequest::stream) (records),
/// [`pages`](ListRequest::pages) (pages with their metadata) or [`first_page`](ListRequest::first_page).
///
/// ```no_run
/// # async fn demo(client: datahub_client::Client) -> edu_common::Result<()> {
/// use futures::TryStreamExt;
/// let students: Vec<_> = client.students().list().limit(500).stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until it is streamed"]
pub struct ListRequest<T> {
    transport: Transport,
    /// The path, or why it could not be built (an invalid id), reported when the listing runs.
    path: std::result::Result<String, String>,
    operation: &'static str,
    query: Vec<(String, String)>,
    concurrency: usize,
    _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for ListRequest<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListRequest")
            .field("path", &self.path)
            .field("query", &edu_common::redact::Query(&self.query))
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    pub(crate) fn new(transport: Transport, path: Result<String>, operation: &'static str) -> Self {
        let path = path.map_err(|e| e.to_string());
        ListRequest {
            transport,
            path,
            operation,
            query: Vec::new(),
            concurrency: 1,
            _t: PhantomData,
        }
    }

    fn set(mut self, name: &str, value: impl ToString) -> Self {
        self.query.retain(|(k, _)| k != name);
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Records per page, up to the server's 10,000 (default [`DEFAULT_PAGE_SIZE`]).
    pub fn page_size(self, n: u32) -> Self {
        self.set("limit", n)
    }

    /// The API's name for [`Self::page_size`].
    pub fn limit(self, n: u32) -> Self {
        self.page_size(n)
    }

    /// Starts at page `n` (1-based).
    pub fn page(self, n: u64) -> Self {
        self.set("page", n)
    }

    /// Only records after this id (range-based paging).
    pub fn starting_after(self, id: &str) -> Self {
        self.set("starting_after", id)
    }

    /// Only records before this id.
    pub fn ending_before(self, id: &str) -> Self {
        self.set("ending_before", id)
    }

    /// Resumes at a page the server named: the `search_token` of a page's `next` link (the
    /// listing follows those links itself; this is for starting where an earlier run stopped).
    pub fn search_token(self, token: &str) -> Self {
        self.set("search_token", token)
    }

    /// A `where` filter, as the API's JSON query document.
    pub fn filter(self, where_json: &serde_json::Value) -> Self {
        self.set("where", where_json)
    }

    /// Events only: those created after this id or W3C datetime.
    pub fn created_since(self, id_or_datetime: &str) -> Self {
        self.set("created_since", id_or_datetime)
    }

    /// Any other query parameter the API takes.
    pub fn param(self, name: &str, value: impl ToString) -> Self {
        self.set(name, value)
    }

    /// Fetches pages by number, up to `n` at a time, once the first page has told how many there
    /// are (`paging.total`). Records still arrive in order. The total is not trusted alone:
    /// after the last numbered page, the listing follows `next` links one page at a time until
    /// there is none, so records added during the listing are not lost. `1` (the default)
    /// follows `next` links only.
    ///
    /// Memory: pages fetched ahead of their turn wait as bodies (decoded when their turn comes),
    /// so a listing holds up to `n` pages' JSON, about 450 KB each for student records at the
    /// default 1,000 per page; a smaller [`limit`](Self::limit) holds less.
    pub fn concurrent(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The first page only.
    pub async fn first_page(&self) -> Result<Page<T, String>> {
        let first = self.first_url()?;
        // The server's next link as it sent it: following it by hand is the caller's choice.
        fetch(&self.transport, &first, first.clone(), self.operation)
            .await
            .map(|(page, _)| page)
    }

    fn first_url(&self) -> Result<Url> {
        let path = self
            .path
            .as_deref()
            .map_err(|e| Error::invalid_input(Some("id"), e.clone()))?;
        let mut url = self.transport.url(path)?;
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        // A whole listing asks for large pages unless the caller chose a size: fewer requests
        // against the rate limit.
        if !self.query.iter().any(|(k, _)| k == "limit") {
            url.query_pairs_mut()
                .append_pair("limit", &DEFAULT_PAGE_SIZE.to_string());
        }
        Ok(url)
    }

    /// The records, lazily, page after page.
    pub fn stream(self) -> ItemStream<T> {
        if self.concurrency > 1 {
            paginate::items(self.numbered_pages())
        } else {
            paginate::items(self.pages())
        }
    }

    /// The pages with their metadata, following `next` links. A page's `next` is the absolute
    /// URL of the next page. A next link back to a page already fetched (the first included)
    /// ends the stream with [`Error::Pagination`] before anything is yielded twice; a next link
    /// to another origin (`https://other/…` or `//other/…`) with [`Error::CrossOrigin`], after
    /// the items of the page that carried it.
    pub fn pages(self) -> PageStream<T, String> {
        let first = match self.first_url() {
            Ok(u) => u,
            Err(e) => return failed(e),
        };
        let transport = self.transport.clone();
        let operation = self.operation;
        paginate::pages_from_then(Some(first.to_string()), move |cursor: Option<String>| {
            let transport = transport.clone();
            let first = first.clone();
            async move {
                let url = match cursor {
                    // Checked here, when followed: the page that carried it has been yielded.
                    Some(next) => transport.url(&next)?,
                    None => first.clone(),
                };
                fetch(&transport, &first, url, operation).await
            }
        })
    }

    fn numbered_pages(self) -> PageStream<T, u64> {
        let first = match self.first_url() {
            Ok(u) => u,
            Err(e) => return failed(e),
        };
        let transport = self.transport.clone();
        let operation = self.operation;
        let decode_first = first.clone();
        let decode_transport = transport.clone();
        // Pages fetched ahead of their turn wait as bodies, decoded when their turn comes.
        paginate::numbered_pages_decoded(
            self.concurrency,
            move |n: u64| {
                let transport = transport.clone();
                let mut url = first.clone();
                async move {
                    let kept: Vec<(String, String)> = url
                        .query_pairs()
                        .filter(|(k, _)| !POSITIONAL.contains(&k.as_ref()))
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    url.query_pairs_mut()
                        .clear()
                        .extend_pairs(kept)
                        .append_pair("page", &n.to_string());
                    let (body, report) = fetch_body(&transport, url.clone(), operation).await?;
                    Ok((n, url, body, report))
                }
            },
            move |(n, url, body, report): (u64, Url, Bytes, Option<CallReport>)| {
                // Numbered pages do not follow `starting_after`: its check does not apply.
                let (page, _) =
                    decode_page::<T>(&decode_transport, &decode_first, url, operation, &body)
                        .map_err(|e| e.with_report(report))?;
                // The server's `next` link, not the total alone, says whether there is more:
                // the total may be stale when records are added during the listing.
                let next = page.next.as_ref().map(|_| n + 1);
                Ok(Page::new(page.items, next).with_info(page.info))
            },
        )
    }
}

fn failed<T: Send + 'static, C: Send + 'static>(e: Error) -> PageStream<T, C> {
    use futures::StreamExt;
    futures::stream::once(async move { Err(e) }).boxed()
}

/// Adds the caller's filters (but not positional parameters) that a `next` link left out.
fn carry_filters(first: &Url, next: Url) -> Url {
    let mut filters = first.clone();
    let kept: Vec<(String, String)> = first
        .query_pairs()
        .filter(|(k, _)| !POSITIONAL.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    filters.query_pairs_mut().clear().extend_pairs(kept);
    paginate::carry_query(&filters, next)
}

/// Fetches one page; its `next` is the absolute URL of the next page with the caller's filters
/// carried over (or the raw link when it does not resolve, so following it reports why), and
/// the reason not to follow it, if there is one (see [`decode_page`]).
async fn fetch<T: DeserializeOwned>(
    transport: &Transport,
    first: &Url,
    url: Url,
    operation: &'static str,
) -> Result<(Page<T, String>, Option<Error>)> {
    let (body, report) = fetch_body(transport, url.clone(), operation).await?;
    decode_page(transport, first, url, operation, &body).map_err(|e| e.with_report(report))
}

/// A page's body, as it came (within the transport's size cap), and the call's report for an
/// error the body's decoding raises later.
async fn fetch_body(
    transport: &Transport,
    url: Url,
    operation: &'static str,
) -> Result<(Bytes, Option<CallReport>)> {
    let resp = transport
        .request_url(http::Method::GET, url)
        .operation(operation)
        .send()
        .await?;
    transport.read_body_reported(resp).await
}

/// Decodes the page at `url` from its body (see [`fetch`]). A next link whose `starting_after`
/// lies before the page's last record (records come in id order) would list records again: it
/// comes back as the reason not to follow it, found before it is requested.
fn decode_page<T: DeserializeOwned>(
    transport: &Transport,
    first: &Url,
    url: Url,
    operation: &'static str,
    body: &[u8],
) -> Result<(Page<T, String>, Option<Error>)> {
    // Room for the page asked for, but never more than the body could hold (a record is at
    // least some twenty bytes), so a short page does not reserve a whole page's memory.
    let capacity = url
        .query_pairs()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(body.len() / 20);
    let list = match page_body::read::<T>(body, capacity) {
        Ok(list) => list,
        Err(e) => {
            return Err(
                match Error::decode_json::<ListBodyOwned<T>>(operation, body) {
                    Err(located) => located,
                    Ok(_) => Error::Decode(Box::new(edu_common::DecodeError::new(
                        operation,
                        ".",
                        e.to_string(),
                        body,
                    ))),
                },
            );
        }
    };
    let last_id = list
        .data
        .last_uri
        .as_deref()
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
        .map(str::to_owned);
    let next = envelope::find(&list.links, "next").map(|l| match transport.url(&l.uri) {
        Ok(next) => carry_filters(first, next).to_string(),
        Err(_) => l.uri.clone(),
    });
    let info = match list.paging {
        Some(p) => PageInfo::numbered(p.current.unwrap_or(1), p.total).total_items(p.count),
        None => PageInfo::default(),
    }
    .url(url);
    let backwards = next
        .as_deref()
        .and_then(|n| Url::parse(n).ok())
        .and_then(|n| {
            n.query_pairs()
                .find(|(k, _)| k == "starting_after")
                .map(|(_, v)| v.into_owned())
        })
        .zip(last_id)
        .filter(|(after, last)| after < last)
        .map(|(after, last)| {
            Error::Pagination(format!(
                "the server's next link starts after `{after}`, before this page's last record `{last}`: following it would list records again, so the listing stops here"
            ))
        });
    Ok((Page::new(list.data.items, next).with_info(info), backwards))
}

/// Checks an id before it goes into a path (see [`edu_common::transport::path_id`]).
pub(crate) fn check_id(id: &str) -> Result<&str> {
    edu_common::transport::path_id(id)
}
