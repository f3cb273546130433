//! Listings: `where`, `created_since`, paging by `starting_after`/`ending_before`, by page, or by
//! the seed's `search_token`.

use std::collections::HashMap;

use edu_common::mock::Request;
use serde_json::{Value, json};

/// An error answer: its status and the API's `{"error": …}` body.
pub(super) fn fail(status: u16, message: &str) -> (u16, Value) {
    (status, json!({ "error": message }))
}

/// The records `where` and `created_since` select, in id order.
pub(super) fn filtered<'a>(
    items: &'a [Value],
    q: &HashMap<String, String>,
) -> Result<Vec<&'a Value>, (u16, Value)> {
    let condition = match q.get("where") {
        None => None,
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(c)) => Some(c),
            _ => {
                return Err(fail(
                    400,
                    &format!("Could not parse where '{text}'. Please ensure it is a JSON object."),
                ));
            }
        },
    };
    let since = match q.get("created_since") {
        None => None,
        Some(s) if is_object_id(s) || is_w3c_datetime(s) => Some(s.as_str()),
        Some(s) => {
            return Err(fail(
                400,
                &format!(
                    "Could not parse created_since '{s}'. Please ensure it is either a valid ObjectID or a valid W3C datetime"
                ),
            ));
        }
    };
    Ok(items
        .iter()
        .filter(|v| condition.as_ref().is_none_or(|c| matches_where(v, c)))
        .filter(|v| match since {
            None => true,
            Some(id) if is_object_id(id) => v["id"].as_str() > Some(id),
            // W3C datetimes in UTC compare as text (the records' own are UTC with `Z`).
            Some(when) => v["created"].as_str().is_some_and(|c| c > when),
        })
        .collect())
}

pub(super) fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(super) fn is_w3c_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// A `where` document: each key a field (dotted for nested ones, `name.last`), each value the
/// value it must equal, or `{"$in": [...]}`, `{"$ne": v}`, `{"$exists": bool}`.
pub(super) fn matches_where(record: &Value, condition: &serde_json::Map<String, Value>) -> bool {
    condition.iter().all(|(field, want)| {
        let got = field
            .split('.')
            .try_fold(record, |v, part| v.get(part))
            .filter(|v| !v.is_null());
        match want {
            Value::Object(op) => op.iter().all(|(k, arg)| match k.as_str() {
                "$in" => arg
                    .as_array()
                    .is_some_and(|a| got.is_some_and(|g| a.contains(g))),
                "$ne" => got != Some(arg),
                "$exists" => got.is_some() == arg.as_bool().unwrap_or(true),
                _ => false,
            }),
            // A list field matches when it holds the value (`{"students": "<id>"}`).
            _ => got.is_some_and(|g| g == want || g.as_array().is_some_and(|a| a.contains(want))),
        }
    })
}

/// One page of `items` (sorted by id, as the API sorts), after the filters.
pub(super) fn list(items: &[Value], path: &str, req: &Request, range_paging: bool) -> (u16, Value) {
    let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
    let items = match filtered(items, &q) {
        Ok(items) => items,
        Err(answer) => return answer,
    };
    // The records are sorted by id, so a cursor's position is a binary search, and only the
    // page's own records are copied: a listing of a million records stays linear.
    let items = items.as_slice();
    let limit: usize = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=10_000).contains(&n) => n,
        Some(Ok(n)) if n > 10_000 => return fail(413, "limit must be at most 10000"),
        Some(_) => return fail(400, "limit must be a positive integer"),
    };
    let mut stop = items.len();
    let start = if let Some(token) = q.get("search_token") {
        // The seed's next-page token, `{page}.{pages}.{count}.FORWARD.{last id}`: the page after
        // the record it names. It is opaque to clients; one this server did not write is a 400.
        match SearchToken::parse(token) {
            Some(t) => items.partition_point(|v| v["id"].as_str() <= Some(t.after.as_str())),
            None => {
                return fail(
                    400,
                    &format!(
                        "Could not parse search_token '{token}'. Please use the uri of a NEXT link as it was given."
                    ),
                );
            }
        }
    } else if let Some(after) = q.get("starting_after").filter(|_| range_paging) {
        items.partition_point(|v| v["id"].as_str() <= Some(after.as_str()))
    } else if let Some(before) = q.get("ending_before").filter(|_| range_paging) {
        // The `limit` records just before it.
        stop = items.partition_point(|v| v["id"].as_str() < Some(before.as_str()));
        stop.saturating_sub(limit)
    } else if let Some(page) = q.get("page") {
        match page.parse::<usize>() {
            Ok(p) if p >= 1 => (p - 1).saturating_mul(limit).min(items.len()),
            _ => return fail(400, "page must be a positive integer"),
        }
    } else {
        0
    };
    let end = (start + limit).min(stop);
    let page: Vec<Value> = items[start..end]
        .iter()
        .map(|v| {
            let resource = path.trim_start_matches("/v1/").split('/').next_back().unwrap_or_default();
            json!({"data": v, "uri": format!("/v1/{resource}/{}", v["id"].as_str().unwrap_or_default())})
        })
        .collect();
    let total_pages = items.len().div_ceil(limit).max(1);
    // Clever v1.1 writes `self`/`next` and pages with `starting_after`; the seed writes
    // `SELF`/`NEXT` and pages with `search_token`.
    let (self_rel, next_rel) = if range_paging {
        ("self", "next")
    } else {
        ("SELF", "NEXT")
    };
    let mut links = vec![json!({"rel": self_rel, "uri": path})];
    // An empty page (a position past the end, or before the first record) links nowhere.
    if end > start && end < items.len() {
        // Like the real API, the link carries the position but not the caller's limit.
        let last = items[end - 1]["id"].as_str().unwrap_or_default();
        let uri = if range_paging {
            format!("{path}?starting_after={last}")
        } else {
            let token = SearchToken {
                page: start / limit + 2,
                pages: total_pages,
                count: items.len(),
                after: last.to_owned(),
            };
            format!("{path}?search_token={token}")
        };
        links.push(json!({"rel": next_rel, "uri": uri}));
    }
    (
        200,
        json!({
            "data": page,
            "paging": {"current": start / limit + 1, "total": total_pages, "count": items.len()},
            "links": links
        }),
    )
}

/// The seed's `search_token`: `2.2.148.FORWARD.<id>` is page 2 of 2, 148 records, after `<id>`.
struct SearchToken {
    page: usize,
    pages: usize,
    count: usize,
    after: String,
}

impl SearchToken {
    fn parse(token: &str) -> Option<SearchToken> {
        let mut parts = token.splitn(5, '.');
        let mut number = || parts.next()?.parse::<usize>().ok();
        let (page, pages, count) = (number()?, number()?, number()?);
        (parts.next()? == "FORWARD").then_some(())?;
        let after = parts.next()?.to_owned();
        (page >= 1 && !after.is_empty()).then_some(SearchToken {
            page,
            pages,
            count,
            after,
        })
    }
}

impl std::fmt::Display for SearchToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SearchToken {
            page,
            pages,
            count,
            after,
        } = self;
        write!(f, "{page}.{pages}.{count}.FORWARD.{after}")
    }
}
