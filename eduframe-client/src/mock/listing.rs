//! Listings: filters, `sort`, cursors and the `Link` header, as the API pages.

use std::collections::HashMap;

use base64::Engine as _;
use edu_common::mock::{Request, Response};
use serde_json::{Value, json};

use super::reply::{error, text};

/// Query parameters that page or sort rather than filter.
pub(super) const NOT_FILTERS: &[&str] = &["per_page", "cursor", "page", "sort", "search"];

/// Whether `record` passes the listing's filters: equality (any of the values given) on a field
/// the record has (an enum's `planned_course` matching the record's `PlannedCourse`), `*_from`/
/// `*_after` and `*_until` bounds on the field they name, `role` within `roles`, `search` as a
/// case-insensitive substring of any text field, and the filters that are not fields, as the
/// spec describes them: `published` (`is_published`), `published_public` (published and planned
/// or in progress), `with_canceled=false` (no canceled record; the default is `true`), a
/// meeting's `start` (ending after it) and `end` (starting before it), `for_user`/`for_account`
/// (`for_type`). `parents_published` needs the parent course and is applied by the state. A
/// parameter that names no field of the resource is ignored, as the API ignores parameters it
/// does not know.
pub(super) fn matches_filters(record: &Value, q: &HashMap<String, Vec<String>>) -> bool {
    q.iter()
        .filter(|(k, _)| !NOT_FILTERS.contains(&k.as_str()))
        .all(|(k, wants)| matches_one(record, k, wants))
        && q.get("search").and_then(|s| s.first()).is_none_or(|term| {
            let term = term.to_lowercase();
            record.as_object().is_some_and(|o| {
                o.values()
                    .filter_map(Value::as_str)
                    .any(|s| s.to_lowercase().contains(&term))
            })
        })
}

/// `PlannedCourse`, `planned_course` and `Program::Edition`/`program_edition` compared alike:
/// enum values in the API's two spellings. Only names are compared so (letters, digits, `_` and
/// `::`): an e-mail address or other text must match exactly (`a.b@x.nl` is not `ab@x.nl`).
fn same_name(a: &str, b: &str) -> bool {
    let is_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let canon = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect::<String>()
    };
    a == b || (is_name(a) && is_name(b) && canon(a) == canon(b))
}

/// `have` against a bound: as instants when both are date-times (`08:00:00Z` and `08:00:00.000Z`
/// are the same), as text otherwise (dates compare as text).
fn compare(have: &str, bound: &str) -> std::cmp::Ordering {
    use chrono::DateTime;
    match (
        DateTime::parse_from_rfc3339(have),
        DateTime::parse_from_rfc3339(bound),
    ) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => have.cmp(bound),
    }
}

fn is_true(w: &str) -> bool {
    w == "true" || w == "1"
}

fn matches_one(record: &Value, k: &str, wants: &[String]) -> bool {
    let field = |name: &str| record.get(name).filter(|v| !v.is_null());
    let first = wants.first().map(String::as_str).unwrap_or_default();
    match k {
        "published" => return field("is_published").is_none_or(|v| *v == json!(true)),
        "published_public" => {
            return field("is_published").is_none_or(|v| *v == json!(true))
                && field("status")
                    .is_none_or(|s| ["planned", "active"].contains(&text(s).as_str()));
        }
        "with_canceled" if !is_true(first) => {
            return field("status").is_none_or(|s| text(s) != "canceled");
        }
        "with_canceled" | "parents_published" => return true,
        "for_user" | "for_account" if field("for_type").is_some() => {
            let kind = k.trim_start_matches("for_");
            return field("for_type").is_some_and(|t| text(t) == kind);
        }
        "start" if field("end_date_time").is_some() => {
            return field("end_date_time").is_some_and(|v| compare(&text(v), first).is_ge());
        }
        "end" if field("start_date_time").is_some() => {
            return field("start_date_time").is_some_and(|v| compare(&text(v), first).is_le());
        }
        _ => {}
    }
    if let Some(v) = field(k) {
        return match v {
            Value::Array(items) => wants
                .iter()
                .any(|w| items.iter().any(|i| same_name(&text(i), w))),
            Value::Bool(b) => wants.iter().any(|w| is_true(w) == *b),
            v => wants.iter().any(|w| same_name(&text(v), w)),
        };
    }
    for (suffix, lower) in [("_from", true), ("_after", true), ("_until", false)] {
        if let Some(name) = k.strip_suffix(suffix) {
            let Some(v) = field(name).or_else(|| field(&format!("{name}_at"))) else {
                return true;
            };
            let order = compare(&text(v), first);
            return if lower { order.is_ge() } else { order.is_le() };
        }
    }
    if k == "role"
        && let Some(Value::Array(roles)) = field("roles")
    {
        return wants.iter().any(|w| roles.iter().any(|r| text(r) == *w));
    }
    true
}

/// `name=a&name=b` and `name[]=a&name[]=b` both give `name: [a, b]`.
pub(super) fn query_map(req: &Request) -> HashMap<String, Vec<String>> {
    let mut q: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in req.url.query_pairs() {
        let k = k.trim_end_matches("[]").to_owned();
        q.entry(k).or_default().push(v.into_owned());
    }
    q
}

fn cursor_of(id: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({ "id": id }).to_string())
}

fn decode_cursor(c: &str) -> Option<Value> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .map(|v| v["id"].clone())
        .filter(|v| !v.is_null())
}

/// One page of a cursor listing: filters and `sort` applied, `per_page` items after the
/// cursor's record, and `Link` prev/next as the API writes them.
pub(super) fn page(
    origin: &str,
    path: &str,
    q: &HashMap<String, Vec<String>>,
    records: Vec<&Value>,
    show: impl Fn(&Value) -> Value,
) -> Response {
    let first = |name: &str| q.get(name).and_then(|v| v.first()).cloned();
    let per_page = match first("per_page").map(|p| p.parse::<usize>()) {
        None => 25,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => {
            return error(
                400,
                "per_page must be between 1 and 100",
                json!({"per_page": ["must be between 1 and 100"]}),
            );
        }
    };
    let mut items: Vec<&Value> = records
        .into_iter()
        .filter(|v| matches_filters(v, q))
        .collect();
    if let Some(sort) = first("sort") {
        let (field, dir) = sort.split_once(':').unwrap_or((sort.as_str(), "asc"));
        items.sort_by(|a, b| {
            let o = text(&a[field]).cmp(&text(&b[field]));
            if dir == "desc" { o.reverse() } else { o }
        });
    }
    let start = match first("cursor") {
        None => 0,
        Some(c) => match decode_cursor(&c) {
            Some(id) => match items.iter().position(|v| v["id"] == id) {
                Some(p) => p + 1,
                // The cursor's record is gone: continue after its id.
                None => items
                    .iter()
                    .position(|v| v["id"].as_u64() > id.as_u64())
                    .unwrap_or(items.len()),
            },
            None => return error(400, "Invalid cursor", json!({"cursor": ["is invalid"]})),
        },
    };
    let page: Vec<Value> = items
        .iter()
        .skip(start)
        .take(per_page)
        .map(|v| show(v))
        .collect();
    let mut resp = Response::new(200).set_body_json(Value::Array(page.clone()));
    let base = format!("{origin}{path}");
    let mut links = Vec::new();
    if start > 0 {
        let prev = start.saturating_sub(per_page);
        let target = if prev == 0 {
            format!("{base}?per_page={per_page}")
        } else {
            format!(
                "{base}?cursor={}&per_page={per_page}",
                cursor_of(&items[prev - 1]["id"])
            )
        };
        links.push(format!(r#"<{target}>; rel="prev""#));
    }
    if start + page.len() < items.len()
        && let Some(last) = page.last()
    {
        links.push(format!(
            r#"<{base}?cursor={}&per_page={per_page}>; rel="next""#,
            cursor_of(&last["id"])
        ));
    }
    if !links.is_empty() {
        resp = resp.insert_header("link", links.join(", ").as_str());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn enum_spellings_meet_and_text_must_match_exactly() {
        assert!(same_name("PlannedCourse", "planned_course"));
        assert!(same_name("Program::Edition", "program_edition"));
        assert!(!same_name("ab@x.nl", "a.b@x.nl"));
        assert!(!same_name("Order", "Orders"));
    }
}
