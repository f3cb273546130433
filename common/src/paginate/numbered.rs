//! Offset paging and numbered pages with a known total, optionally fetched ahead.

use std::future::Future;

use futures::stream::{self, StreamExt};

use super::{Page, PageStream, pages, pages_from};
use crate::error::Result;

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

/// Page-number paging. `fetch(n)` returns page `n` (1-based) with [`PageInfo::total_pages`](super::PageInfo::total_pages) set
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
