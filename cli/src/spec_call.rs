//! Sending an operation of a generated table through the client's own transport (its
//! credentials, retries, rate limits and tokens): the path filled in, the query from the flags,
//! the body from `--data`, and a listing paged the API's way.

use bytes::Bytes;
use clap::ArgMatches;
use edu_common::paginate::{self, Page};
use edu_common::{Error, Result, Transport};
use futures::{StreamExt, TryStreamExt};
use http::Method;
use serde_json::Value;
use url::Url;

use crate::answer::{Answer, Pages};
use crate::table::{Location, Operation, Paging, values_of};

/// Page size when the caller names none (the typed layers' defaults).
const DEFAULT_PAGE_SIZE: u32 = 100;

/// Sends `op` with the arguments in `m`; a listing starts at `resume` when given (a cursor the
/// listing itself handed out).
pub async fn call(
    transport: &Transport,
    op: &'static Operation,
    m: &ArgMatches,
    body: Option<Bytes>,
    resume: Option<String>,
) -> Result<Answer> {
    let url = url_of(transport, op, m)?;
    let page_size = m
        .try_get_one::<u32>("page-size")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(DEFAULT_PAGE_SIZE);
    match op.paging {
        Paging::LinkHeader => Ok(Answer::Pages(link_pages(
            transport, op, url, page_size, resume,
        )?)),
        Paging::Offset => Ok(Answer::Pages(offset_pages(
            transport, op, url, page_size, resume,
        )?)),
        Paging::None | Paging::Typed => {
            let method = Method::from_bytes(op.method.as_bytes())
                .map_err(|_| Error::Config(format!("{}: no such method", op.method)))?;
            let mut req = transport.request_url(method, url).operation(op.id);
            if let Some(body) = body {
                req = req.raw_body(body, "application/json");
            }
            let resp = req.send().await?;
            let location = resp
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let (bytes, report) = transport.read_body_reported(resp).await?;
            let answer = answer_body(op, &bytes, location).map_err(|e| e.with_report(report))?;
            Ok(Answer::One(answer))
        }
    }
}

/// The URL for `op`: the path with its parameters in (each one segment, encoded), and the query.
fn url_of(transport: &Transport, op: &Operation, m: &ArgMatches) -> Result<Url> {
    let mut url = transport.base_url().clone();
    {
        let mut segments = url
            .path_segments_mut()
            .map_err(|()| Error::Config("the base URL cannot take a path".into()))?;
        segments.pop_if_empty();
        for seg in op.path.split('/').filter(|s| !s.is_empty()) {
            match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let p = op.params.iter().find(|p| p.name == name).ok_or_else(|| {
                        Error::Config(format!("{}: no parameter `{name}`", op.id))
                    })?;
                    let value = values_of(m, p).into_iter().next().unwrap_or_default();
                    edu_common::transport::path_segment(p.name, &value)?;
                    segments.push(&value);
                }
                None => {
                    segments.push(seg);
                }
            }
        }
    }
    {
        let mut query = url.query_pairs_mut();
        for p in op
            .params
            .iter()
            .filter(|p| p.location == Location::Query && !p.paging)
        {
            for v in values_of(m, p) {
                query.append_pair(p.name, &v);
            }
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    Ok(url)
}

/// The answer's JSON; an empty answer to a create names the record through its `Location`.
fn answer_body(op: &Operation, bytes: &[u8], location: Option<String>) -> Result<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(match location {
            Some(loc) => {
                let id = loc.rsplit('/').next().unwrap_or_default();
                let id = id
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(id));
                serde_json::json!({ "id": id, "location": loc })
            }
            None => Value::Null,
        });
    }
    Error::decode_json(op.id, bytes)
}

/// Eduframe's paging: the next page's URL in the `Link` header (its cursor).
fn link_pages(
    transport: &Transport,
    op: &'static Operation,
    mut first: Url,
    page_size: u32,
    resume: Option<String>,
) -> Result<Pages> {
    let size = op.params.iter().find(|p| p.paging && p.name != "cursor");
    if let Some(size) = size {
        first
            .query_pairs_mut()
            .append_pair(size.name, &page_size.to_string());
    }
    if let Some(next) = resume {
        first = Url::parse(&next)
            .map_err(|e| Error::Config(format!("the resume file's cursor is not a URL: {e}")))?;
    }
    let pages = paginate::link_header_pages(
        transport.clone(),
        first,
        op.id,
        paginate::json_array::<Value>(op.id),
    );
    Ok(pages
        .map_ok(|p: Page<Value, Url>| (p.items, p.next.map(String::from)))
        .boxed())
}

/// Ed-Fi Admin's paging: `offset` and `limit` until a short page.
fn offset_pages(
    transport: &Transport,
    op: &'static Operation,
    url: Url,
    page_size: u32,
    resume: Option<String>,
) -> Result<Pages> {
    let start = match resume {
        Some(s) => s.parse::<u64>().map_err(|_| {
            Error::Config(format!("the resume file's offset `{s}` is not a number"))
        })?,
        None => 0,
    };
    let transport = transport.clone();
    let pages = paginate::offset_pages(start, u64::from(page_size), move |offset, limit| {
        let transport = transport.clone();
        let mut url = url.clone();
        url.query_pairs_mut()
            .append_pair("offset", &offset.to_string())
            .append_pair("limit", &limit.to_string());
        async move {
            transport
                .request_url(Method::GET, url)
                .operation(op.id)
                .send_json::<Vec<Value>>()
                .await
        }
    });
    Ok(pages
        .map_ok(|p: Page<Value, u64>| (p.items, p.next.map(|n| n.to_string())))
        .boxed())
}
