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

use futures::stream::{self, BoxStream, StreamExt};
use url::Url;

use crate::error::{Error, Result};

mod link_header;
mod numbered;
#[cfg(test)]
mod tests;

pub use link_header::{carry_query, cursor_page, json_array, link_header_pages};
pub use numbered::{numbered_pages, numbered_pages_decoded, offset_pages};

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
