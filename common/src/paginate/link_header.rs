//! RFC 8288 `Link` header paging through the transport.

use std::collections::HashSet;

use bytes::Bytes;
use http::Method;
use url::Url;

use super::{Page, PageInfo, PageStream, pages_from_then};
use crate::error::{Error, Result};
use crate::link;
use crate::transport::Transport;

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
            let (body, report) = transport.read_body_reported(resp).await?;
            let items = extract(&body).map_err(|e| e.with_report(report))?;
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

/// One page of a cursor listing from its answer: the items, and the `cursor_param` query
/// parameter of the `Link: <…>; rel="next"` (resolved against the transport's base URL and
/// refused, with [`Error::CrossOrigin`], on another origin). A next link without the cursor is
/// an [`Error::Pagination`], never a silent end.
pub fn cursor_page<T>(
    transport: &Transport,
    operation: &str,
    cursor_param: &str,
    answer: crate::transport::ApiResponse<Vec<T>>,
) -> Result<Page<T, String>> {
    let report = answer.report;
    let next = next_cursor(transport, operation, cursor_param, &answer.headers)
        .map_err(|e| e.with_report(Some(report)))?;
    Ok(Page::new(answer.value, next))
}

fn next_cursor(
    transport: &Transport,
    operation: &str,
    cursor_param: &str,
    headers: &http::HeaderMap,
) -> Result<Option<String>> {
    let Some(url) = link::find_rel(headers, "next", transport.base_url())? else {
        return Ok(None);
    };
    transport.check_origin(&url)?;
    let cursor = url.query_pairs().find(|(k, _)| k == cursor_param);
    let cursor = cursor.map(|(_, v)| v.into_owned()).ok_or_else(|| {
        Error::Pagination(format!(
            "{operation}: the next link has no `{cursor_param}` parameter, so the next page cannot be requested"
        ))
    })?;
    Ok(Some(cursor))
}
