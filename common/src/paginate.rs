//! Pagination as lazy `futures::Stream`s.
//!
//! One engine, [`pages`], drives every style: the client supplies a `fetch` closure that turns a
//! cursor (`None` for the first page) into a [`Page`] holding the items and the next cursor. The
//! engine guarantees, for every API:
//!
//! - nothing is requested until the stream is polled, and only one page at a time (or a bounded
//!   number, in order, with [`numbered_pages`]);
//! - the stream ends when the next cursor is absent, never on an empty page that still has one;
//! - a cursor seen before ends the stream with [`Error::Pagination`] instead of looping;
//! - an error is yielded once and then the stream ends.
//!
//! On top sit the styles the APIs use: [`link_header_pages`] (RFC 8288 `Link: <…>; rel="next"`),
//! [`offset_pages`] (offset and limit until a short page), [`numbered_pages`] (page numbers with a
//! known total, optionally fetched concurrently), and opaque body cursors or body links, which
//! are plain [`pages`] calls with `C = String` or `C = Url`.
//!
//! ```
//! # async fn demo() -> edu_common::Result<()> {
//! use edu_common::paginate::{pages, Page};
//! use futures::TryStreamExt;
//!
//! // A fake API with three pages behind an opaque cursor.
//! let stream = pages(|cursor: Option<String>| async move {
//!     let (items, next) = match cursor.as_deref() {
//!         None => (vec![1, 2], Some("b".to_string())),
//!         Some("b") => (vec![], Some("c".to_string())), // empty, but not the end
//!         _ => (vec![3], None),
//!     };
//!     Ok(Page::new(items, next))
//! });
//! let all: Vec<i32> = edu_common::paginate::items(stream).try_collect().await?;
//! assert_eq!(all, [1, 2, 3]);
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use http::Method;
use url::Url;

use crate::error::{Error, Result};
use crate::link;
use crate::transport::Transport;

/// A stream of pages.
pub type PageStream<T, C> = BoxStream<'static, Result<Page<T, C>>>;

/// A stream of items.
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// One page of a listing.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T, C> {
    /// The items on this page, in server order.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    pub next: Option<C>,
    /// What the server said about the listing as a whole.
    pub info: PageInfo,
}

impl<T, C> Page<T, C> {
    /// A page with `items` and the `next` cursor.
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Page {
            items,
            next,
            info: PageInfo::default(),
        }
    }

    /// Sets the page metadata.
    pub fn with_info(mut self, info: PageInfo) -> Self {
        self.info = info;
        self
    }
}

/// Listing metadata, when the API provides it.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageInfo {
    /// This page's number (1-based).
    pub number: Option<u64>,
    /// How many pages the listing has.
    pub total_pages: Option<u64>,
    /// How many items the listing has.
    pub total_items: Option<u64>,
    /// The URL this page was fetched from.
    pub url: Option<Url>,
}

impl std::fmt::Debug for PageInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageInfo")
            .field("number", &self.number)
            .field("total_pages", &self.total_pages)
            .field("total_items", &self.total_items)
            .field("url", &self.url.as_ref().map(crate::redact::url))
            .finish()
    }
}

impl PageInfo {
    /// Metadata with a page number and page total.
    pub fn numbered(number: u64, total_pages: Option<u64>) -> Self {
        PageInfo {
            number: Some(number),
            total_pages,
            ..PageInfo::default()
        }
    }

    /// Sets the total item count.
    pub fn total_items(mut self, n: Option<u64>) -> Self {
        self.total_items = n;
        self
    }

    /// Sets the URL.
    pub fn url(mut self, url: Url) -> Self {
        self.url = Some(url);
        self
    }
}

enum State<C> {
    Fetch(Option<C>),
    Fail(Error),
    Done,
}

/// The pagination engine: pages fetched one at a time by `fetch(cursor)`, starting with `None`.
pub fn pages<T, C, F, Fut>(fetch: F) -> PageStream<T, C>
where
    T: Send + 'static,
    C: Clone + Eq + Hash + Send + Sync + 'static,
    F: FnMut(Option<C>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T, C>>> + Send + 'static,
{
    pages_from(None, fetch)
}

/// Like [`pages`], but starting from a known cursor (for resuming a listing).
pub fn pages_from<T, C, F, Fut>(start: Option<C>, fetch: F) -> PageStream<T, C>
where
    T: Send + 'static,
    C: Clone + Eq + Hash + Send + Sync + 'static,
    F: FnMut(Option<C>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T, C>>> + Send + 'static,
{
    let mut seen = HashSet::new();
    if let Some(c) = &start {
        seen.insert(c.clone());
    }
    stream::unfold(
        (State::Fetch(start), fetch, seen),
        |(state, mut fetch, mut seen)| async move {
            match state {
                State::Done => None,
                State::Fail(e) => Some((Err(e), (State::Done, fetch, seen))),
                State::Fetch(cursor) => match fetch(cursor).await {
                    Err(e) => Some((Err(e), (State::Done, fetch, seen))),
                    Ok(page) => {
                        let next = match &page.next {
                            None => State::Done,
                            Some(c) if !seen.insert(c.clone()) => State::Fail(Error::Pagination(
                                "the server returned a next-page cursor it had already returned; stopping instead of looping".into(),
                            )),
                            Some(c) => State::Fetch(Some(c.clone())),
                        };
                        Some((Ok(page), (next, fetch, seen)))
                    }
                },
            }
        },
    )
    .boxed()
}

/// Like [`pages_from`], for fetches that can find, in a page that arrived whole, a reason not to
/// go on (an unreadable `Link` header, a next link that goes backwards): `fetch` returns the page
/// and that error. The page's items are always yielded first; then the error, and the stream
/// ends.
pub fn pages_from_then<T, C, F, Fut>(start: Option<C>, mut fetch: F) -> PageStream<T, C>
where
    T: Send + 'static,
    C: Clone + Eq + Hash + Send + Sync + 'static,
    F: FnMut(Option<C>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Page<T, C>, Option<Error>)>> + Send + 'static,
{
    let stop: std::sync::Arc<std::sync::Mutex<Option<Error>>> = Default::default();
    let found = stop.clone();
    let pages = pages_from(start, move |cursor| {
        let fetched = fetch(cursor);
        let found = found.clone();
        async move {
            let (mut page, then) = fetched.await?;
            if let Some(e) = then {
                page.next = None;
                *found.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            }
            Ok(page)
        }
    });
    let after = stream::once(async move { stop.lock().unwrap_or_else(|p| p.into_inner()).take() })
        .filter_map(|e| std::future::ready(e.map(Err)));
    pages.chain(after).boxed()
}

/// A page stream that yields `error` and ends: a listing whose request is wrong before anything
/// is sent (a page size out of range).
pub fn failed<T, C>(error: Error) -> PageStream<T, C>
where
    T: Send + 'static,
    C: Send + 'static,
{
    stream::once(async move { Err(error) }).boxed()
}

/// Flattens a page stream into its items, in order. An error is yielded and then the stream ends.
pub fn items<T, C>(pages: PageStream<T, C>) -> ItemStream<T>
where
    T: Send + 'static,
    C: Send + 'static,
{
    Items {
        pages,
        current: Vec::new().into_iter(),
        done: false,
    }
    .boxed()
}

/// The item stream: hands out the current page's items straight from its buffer, so a record is
/// moved once on its way to the caller (records can be large).
struct Items<T, C> {
    pages: PageStream<T, C>,
    current: std::vec::IntoIter<T>,
    done: bool,
}

// Items are never pinned in place: they are moved out of the buffer by value.
impl<T, C> Unpin for Items<T, C> {}

impl<T, C> futures::Stream for Items<T, C> {
    type Item = Result<T>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<T>>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.pages.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(page))) => this.current = page.items.into_iter(),
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.current.len(), None)
    }
}

/// Offset and limit paging: `fetch(offset, limit)` until a page shorter than `limit`.
pub fn offset_pages<T, F, Fut>(start: u64, limit: u64, mut fetch: F) -> PageStream<T, u64>
where
    T: Send + 'static,
    F: FnMut(u64, u64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<T>>> + Send + 'static,
{
    let limit = limit.max(1);
    pages(move |cursor: Option<u64>| {
        let offset = cursor.unwrap_or(start);
        let fut = fetch(offset, limit);
        async move {
            let items = fut.await?;
            let n = items.len() as u64;
            let next = (n >= limit).then_some(offset + n);
            Ok(Page::new(items, next))
        }
    })
}

/// Page-number paging. `fetch(n)` returns page `n` (1-based) with [`PageInfo::total_pages`] set
/// when the server says it, and `next` set to `Some(n + 1)` when the server says there is more.
/// With `concurrency > 1` and a known total, pages 2..=total are fetched up to `concurrency` at
/// a time, and still yielded in order. The total is not trusted alone: it may be stale (records
/// added during the listing), so after the last numbered page the stream goes on following
/// `next` one page at a time until there is none. Without a total, pages are fetched one by one
/// while they carry a next cursor.
pub fn numbered_pages<T, F, Fut>(concurrency: usize, fetch: F) -> PageStream<T, u64>
where
    T: Send + 'static,
    F: Fn(u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T, u64>>> + Send + 'static,
{
    numbered_pages_decoded(concurrency, fetch, Ok)
}

/// [`numbered_pages`] with each page's decoding deferred: `fetch(n)` answers what came over the
/// wire (the body, say) and `decode` turns it into the page when the page's turn comes. Pages
/// fetched ahead of their turn wait in their wire form, which for JSON is a fraction of the
/// memory of the decoded records: with `concurrency` pages in flight, that is what a listing
/// holds.
pub fn numbered_pages_decoded<T, R, F, Fut, D>(
    concurrency: usize,
    fetch: F,
    decode: D,
) -> PageStream<T, u64>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<R>> + Send + 'static,
    D: Fn(R) -> Result<Page<T, u64>> + Clone + Send + Sync + 'static,
{
    let first = {
        let (fut, decode) = (fetch(1), decode.clone());
        async move { fut.await.and_then(decode) }
    };
    stream::once(first)
        .flat_map(move |res| -> PageStream<T, u64> {
            // One page, fetched and decoded, as the sequential paths need it.
            let (f, d) = (fetch.clone(), decode.clone());
            let one = move |n: u64| {
                let (fut, d) = (f(n), d.clone());
                async move { fut.await.and_then(d) }
            };
            match res {
                Ok(page) => match page.info.total_pages {
                    Some(total) if concurrency > 1 && total > 1 => {
                        let last_next = std::sync::Arc::new(std::sync::Mutex::new(None));
                        let record = last_next.clone();
                        let d = decode.clone();
                        let rest = stream::iter(2..=total)
                            .map(fetch.clone())
                            .buffered(concurrency)
                            .map(move |wire| wire.and_then(&d))
                            .inspect(move |page: &Result<Page<T, u64>>| {
                                if let Ok(p) = page {
                                    *record.lock().unwrap_or_else(|e| e.into_inner()) = p.next;
                                }
                            });
                        // Past the (possibly stale) total: follow `next` until the server says the end.
                        let tail = stream::once(async move {
                            let start = last_next.lock().unwrap_or_else(|e| e.into_inner()).take();
                            match start {
                                Some(n) if n > total => {
                                    pages_from(Some(n), move |c: Option<u64>| one(c.unwrap_or(n)))
                                }
                                _ => stream::empty().boxed(),
                            }
                        })
                        .flatten();
                        stream::once(async { Ok(page) })
                            .chain(rest)
                            .chain(tail)
                            .boxed()
                    }
                    _ => {
                        let start = page.next;
                        let rest =
                            pages_from(start, move |c: Option<u64>| one(c.unwrap_or(2))).boxed();
                        let first = Page {
                            items: page.items,
                            next: start,
                            info: page.info,
                        };
                        match start {
                            Some(_) => stream::once(async { Ok(first) }).chain(rest).boxed(),
                            None => stream::once(async { Ok(first) }).boxed(),
                        }
                    }
                },
                Err(e) => stream::once(async { Err(e) }).boxed(),
            }
        })
        .scan(false, |failed, item| {
            let out = if *failed { None } else { Some(item) };
            if matches!(out, Some(Err(_))) {
                *failed = true;
            }
            async move { out }
        })
        .boxed()
}

/// RFC 8288 paging: GET `first`, decode the items with `extract`, follow `Link: <…>; rel="next"`
/// (resolved against the URL just fetched) until there is none. Every page goes through the
/// transport (auth, retries, throttling). A next link to another origin ends the stream with
/// [`Error::CrossOrigin`] after the items of the page that carried it, an unreadable `Link`
/// header with its error after them too, and a next link back to
/// any page already fetched (the first one included) with [`Error::Pagination`], before
/// anything is yielded twice. Query parameters of `first` that a next link leaves out (filters,
/// `per_page`) are carried over, so the caller's query holds on every page.
pub fn link_header_pages<T, X>(
    transport: Transport,
    first: Url,
    operation: &'static str,
    extract: X,
) -> PageStream<T, Url>
where
    T: Send + 'static,
    X: Fn(&Bytes) -> Result<Vec<T>> + Send + Sync + 'static,
{
    let extract = std::sync::Arc::new(extract);
    // The first URL counts as seen: a next link back to it is a loop, caught before refetching.
    let start = first.clone();
    pages_from_then(Some(start), move |cursor: Option<Url>| {
        let url = cursor.unwrap_or_else(|| first.clone());
        let transport = transport.clone();
        let extract = extract.clone();
        let first = first.clone();
        async move {
            let resp = transport
                .request_url(Method::GET, url.clone())
                .operation(operation)
                .send()
                .await?;
            // An unreadable `Link` header does not lose the page that carried it: its items
            // come first, then the error.
            let (next, then) = match link::find_rel(resp.headers(), "next", resp.url()) {
                Ok(next) => (next.map(|n| carry_query(&first, n)), None),
                Err(e) => (None, Some(e)),
            };
            let body = transport.read_body(resp).await?;
            let items = extract(&body)?;
            // A next link to another origin is refused when it is followed (`request_url`
            // checks the origin before anything is sent), so this page's items are yielded first.
            Ok((
                Page::new(items, next).with_info(PageInfo::default().url(url)),
                then,
            ))
        }
    })
}

/// Adds to `next` every query parameter of `first` whose name `next` does not have.
pub fn carry_query(first: &Url, mut next: Url) -> Url {
    let present: HashSet<String> = next.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let missing: Vec<(String, String)> = first
        .query_pairs()
        .filter(|(k, _)| !present.contains(k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !missing.is_empty() {
        next.query_pairs_mut().extend_pairs(missing);
    }
    next
}

/// A JSON-array body decoder for [`link_header_pages`].
pub fn json_array<T: serde::de::DeserializeOwned>(
    context: &'static str,
) -> impl Fn(&Bytes) -> Result<Vec<T>> + Send + Sync {
    move |body: &Bytes| Error::decode_json(context, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn carry_query_keeps_callers_params() {
        let first: Url = "https://h/x?per_page=10&status=active".parse().unwrap();
        let next: Url = "https://h/x?cursor=abc&per_page=10".parse().unwrap();
        let merged = carry_query(&first, next);
        assert_eq!(merged.query(), Some("cursor=abc&per_page=10&status=active"));
    }

    #[tokio::test]
    async fn empty_intermediate_page_does_not_end_stream() {
        let s = pages(|c: Option<u32>| async move {
            Ok(match c {
                None => Page::new(vec![1], Some(1)),
                Some(1) => Page::new(vec![], Some(2)),
                Some(2) => Page::new(vec![], Some(3)),
                _ => Page::new(vec![2], None),
            })
        });
        let all: Vec<i32> = items(s).try_collect().await.unwrap();
        assert_eq!(all, [1, 2]);
    }

    #[tokio::test]
    async fn repeated_cursor_stops_with_error() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let s = pages(move |c: Option<&'static str>| {
            c2.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(match c {
                    None => Page::new(vec![1], Some("a")),
                    Some("a") => Page::new(vec![2], Some("b")),
                    _ => Page::new(vec![3], Some("a")),
                })
            }
        });
        let out: Vec<Result<i32>> = items(s).collect().await;
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(out.len(), 4);
        assert!(matches!(out[3], Err(Error::Pagination(_))));
    }

    #[tokio::test]
    async fn error_is_yielded_once_then_ends() {
        let s = pages(|c: Option<u32>| async move {
            match c {
                None => Ok(Page::new(vec![1], Some(1))),
                _ => Err(Error::Config("boom".into())),
            }
        });
        let out: Vec<Result<i32>> = items(s).collect().await;
        assert_eq!(out.len(), 2);
        assert!(out[1].is_err());
    }

    #[tokio::test]
    async fn offset_ends_on_short_page() {
        let s = offset_pages(0, 3, |offset, limit| async move {
            Ok((offset..(offset + limit).min(7)).collect::<Vec<u64>>())
        });
        let all: Vec<u64> = items(s).try_collect().await.unwrap();
        assert_eq!(all, (0..7).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn offset_exact_multiple_fetches_one_empty_page() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let s = offset_pages(0, 3, move |offset, limit| {
            c2.fetch_add(1, Ordering::SeqCst);
            async move { Ok((offset..(offset + limit).min(6)).collect::<Vec<u64>>()) }
        });
        let all: Vec<u64> = items(s).try_collect().await.unwrap();
        assert_eq!(all.len(), 6);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn numbered_concurrent_keeps_order() {
        let s = numbered_pages(4, |n: u64| async move {
            // Later pages answer faster, to show ordering is kept.
            tokio::time::sleep(std::time::Duration::from_millis(20 / n)).await;
            Ok(Page::new(vec![n * 10, n * 10 + 1], None).with_info(PageInfo::numbered(n, Some(6))))
        });
        let all: Vec<u64> = items(s).try_collect().await.unwrap();
        let expected: Vec<u64> = (1..=6).flat_map(|n| [n * 10, n * 10 + 1]).collect();
        assert_eq!(all, expected);
    }

    #[tokio::test]
    async fn numbered_pages_fetched_ahead_wait_undecoded() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let fetched = std::sync::Arc::new(AtomicUsize::new(0));
        let decoded = std::sync::Arc::new(AtomicUsize::new(0));
        let (f, d) = (fetched.clone(), decoded.clone());
        let s = numbered_pages_decoded(
            4,
            move |n: u64| {
                f.fetch_add(1, Ordering::SeqCst);
                async move { Ok(n) }
            },
            move |n: u64| {
                d.fetch_add(1, Ordering::SeqCst);
                Ok(Page::new(vec![n], None).with_info(PageInfo::numbered(n, Some(10))))
            },
        );
        let mut s = s;
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.extend(s.try_next().await.unwrap().unwrap().items);
        }
        assert_eq!(seen, vec![1, 2, 3]);
        // Pages 4 to 6 are fetched ahead (4 in flight after page 1), not decoded yet.
        assert_eq!(decoded.load(Ordering::SeqCst), 3);
        assert_eq!(fetched.load(Ordering::SeqCst), 6);
        let rest: Vec<u64> = items(s).try_collect().await.unwrap();
        assert_eq!(rest, (4..=10).collect::<Vec<_>>());
        assert_eq!(decoded.load(Ordering::SeqCst), 10);
    }

    #[tokio::test]
    async fn numbered_sequential_follows_next() {
        let s = numbered_pages(1, |n: u64| async move {
            let next = (n < 3).then_some(n + 1);
            Ok(Page::new(vec![n], next).with_info(PageInfo::numbered(n, Some(3))))
        });
        let all: Vec<u64> = items(s).try_collect().await.unwrap();
        assert_eq!(all, [1, 2, 3]);
    }

    #[tokio::test]
    async fn numbered_error_ends_stream() {
        let s = numbered_pages(3, |n: u64| async move {
            if n == 2 {
                Err(Error::Config("page 2 failed".into()))
            } else {
                Ok(Page::new(vec![n], None).with_info(PageInfo::numbered(n, Some(4))))
            }
        });
        let out: Vec<Result<u64>> = items(s).collect().await;
        assert_eq!(out.len(), 2);
        assert!(out[1].is_err());
    }
}
