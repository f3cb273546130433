//! The simulator's building blocks: the server's response shapes, a validation-error collector,
//! and tables with the server's paging, filtering and ordering.

use std::collections::{BTreeMap, HashMap};

use edu_common::mock::Response;
use serde_json::{Map, Value, json};

/// A response and its status (kept, so the simulator can record what it served).
pub(super) struct Reply {
    /// The status code.
    pub(super) status: u16,
    /// The response.
    pub(super) template: Box<Response>,
}

impl Reply {
    /// A response with this status and no body.
    pub(super) fn new(status: u16) -> Reply {
        Reply {
            status,
            template: Box::new(Response::new(status)),
        }
    }

    fn map(self, f: impl FnOnce(Response) -> Response) -> Reply {
        Reply {
            status: self.status,
            template: Box::new(f(*self.template)),
        }
    }

    /// Adds a header.
    pub(super) fn header(self, name: &str, value: &str) -> Reply {
        self.map(|t| t.insert_header(name, value))
    }

    /// Sets a JSON body.
    pub(super) fn json(self, body: impl serde::Serialize) -> Reply {
        self.map(|t| t.set_body_json(body))
    }
}

/// The query string, by name.
pub(super) type Query = HashMap<String, String>;

/// A body with the server's error content type.
pub(super) fn problem(status: u16, body: Value) -> Reply {
    Reply::new(status).map(|t| t.set_body_raw(body.to_string(), "application/problem+json"))
}

/// `200` with a JSON body.
pub(super) fn ok(body: impl serde::Serialize) -> Reply {
    Reply::new(200).json(body)
}

/// `200` with an empty body, as the server answers most PUTs.
pub(super) fn ok_empty() -> Reply {
    Reply::new(200)
}

/// `200 {"title": "... deleted successfully"}`.
pub(super) fn deleted(what: &str) -> Reply {
    ok(json!({ "title": format!("{what} deleted successfully") }))
}

/// `201` with the server's relative `Location` (`/vendors/17`: no version, no base path).
pub(super) fn created(path: &str, id: i64, body: Option<Value>) -> Reply {
    let r = Reply::new(201).header("location", &format!("/{path}/{id}"));
    match body {
        Some(b) => r.json(b),
        None => r,
    }
}

/// `404` with the server's not-found title.
pub(super) fn not_found(resource: &str, id: impl std::fmt::Display) -> Reply {
    problem(
        404,
        json!({"title": format!("Not found: {resource} with ID {id}. It may have been recently deleted.")}),
    )
}

/// `400 {"message": ...}`, the form the server uses outside validation.
pub(super) fn message(status: u16, text: &str) -> Reply {
    problem(status, json!({ "message": text }))
}

/// A handler's answer: `Err` short-cuts with an error reply.
pub(super) type Answer = Result<Reply, Reply>;

/// Validation messages by (PascalCase) property, as FluentValidation reports them.
#[derive(Default)]
pub(super) struct Errors(Map<String, Value>);

impl Errors {
    /// Adds `msg` under `key`.
    pub(super) fn add(&mut self, key: &str, msg: impl Into<String>) {
        let list = self.0.entry(key).or_insert_with(|| json!([]));
        if let Value::Array(a) = list {
            a.push(Value::String(msg.into()));
        }
    }

    /// Adds `msg` under `key` unless `ok`.
    pub(super) fn check(&mut self, ok: bool, key: &str, msg: impl Into<String>) {
        if !ok {
            self.add(key, msg);
        }
    }

    /// `'Display Name' must not be empty.` unless `body[field]` is a non-empty string.
    pub(super) fn not_empty(&mut self, body: &Value, field: &str) {
        if text(body, field).is_empty() {
            let key = pascal(field);
            self.add(&key, format!("'{}' must not be empty.", spaced(&key)));
        }
    }

    /// True when nothing was added.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Err(400 Validation failed)` when anything was added.
    pub(super) fn result(self) -> Result<(), Reply> {
        self.reply().map_or(Ok(()), Err)
    }

    /// The `400 Validation failed` answer, when anything was added.
    pub(super) fn reply(self) -> Option<Reply> {
        (!self.0.is_empty()).then(|| validation(Value::Object(self.0)))
    }
}

/// `400 {"title": "Validation failed", "errors": {...}}`.
pub(super) fn validation(errors: Value) -> Reply {
    problem(400, json!({"title": "Validation failed", "errors": errors}))
}

/// `body[field]` as a string, or "".
pub(super) fn text<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field].as_str().unwrap_or_default()
}

/// `contactName` → `ContactName`.
pub(super) fn pascal(field: &str) -> String {
    let mut c = field.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// `ContactName` → `Contact Name`, FluentValidation's display name.
pub(super) fn spaced(key: &str) -> String {
    let mut out = String::new();
    for (i, ch) in key.chars().enumerate() {
        if i > 0 && ch.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// One table of the Admin database: rows by id with their own identity counter, the word the
/// server uses in not-found titles, its `Location` path, and its list rules.
pub(super) struct Table {
    /// Rows by id.
    pub(super) rows: BTreeMap<i64, Value>,
    next_id: i64,
    /// The not-found word (`vendor`, `odsInstanceContext`...).
    pub(super) word: &'static str,
    /// The collection's path, for `Location`.
    pub(super) path: &'static str,
    /// `orderBy` values and the JSON field each sorts on; the first is the default.
    order: &'static [(&'static str, &'static str)],
    /// Query parameters that filter by exact equality, and their JSON fields.
    filters: &'static [(&'static str, &'static str)],
}

impl Table {
    pub(super) fn new(
        word: &'static str,
        path: &'static str,
        order: &'static [(&'static str, &'static str)],
        filters: &'static [(&'static str, &'static str)],
    ) -> Table {
        Table {
            rows: BTreeMap::new(),
            next_id: 1,
            word,
            path,
            order,
            filters,
        }
    }

    /// Stores `row` under a new id (set as `row.id`) and returns the id.
    pub(super) fn insert(&mut self, mut row: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        row["id"] = json!(id);
        self.rows.insert(id, row);
        id
    }

    /// The row, or the server's 404.
    pub(super) fn get(&self, id: &str) -> Result<&Value, Reply> {
        id.parse::<i64>()
            .ok()
            .and_then(|i| self.rows.get(&i))
            .ok_or_else(|| not_found(self.word, id))
    }

    /// The row to change, or the server's 404.
    pub(super) fn get_mut(&mut self, id: &str) -> Result<&mut Value, Reply> {
        let word = self.word;
        id.parse::<i64>()
            .ok()
            .and_then(|i| self.rows.get_mut(&i))
            .ok_or_else(|| not_found(word, id))
    }

    /// The id of an existing row, or the server's 404.
    pub(super) fn id(&self, id: &str) -> Result<i64, Reply> {
        self.get(id).map(|r| r["id"].as_i64().unwrap_or_default())
    }

    /// The `201` for a row just inserted.
    pub(super) fn created(&self, id: i64, body: Option<Value>) -> Reply {
        created(self.path, id, body)
    }

    /// One page of the rows (as `view` shows them), filtered, ordered and cut by the query.
    pub(super) fn list(&self, q: &Query, view: impl Fn(&Value) -> Value) -> Reply {
        self.list_where(q, |_| true, view)
    }

    /// [`Table::list`] of the rows `keep` accepts.
    pub(super) fn list_where(
        &self,
        q: &Query,
        keep: impl Fn(&Value) -> bool,
        view: impl Fn(&Value) -> Value,
    ) -> Reply {
        let rows = self
            .rows
            .values()
            .filter(|row| keep(row))
            .filter(|row| {
                self.filters
                    .iter()
                    .all(|(param, field)| q.get(*param).is_none_or(|want| same(&row[*field], want)))
            })
            .map(view)
            .collect();
        page(rows, q, self.order)
    }
}

/// The query parameter, its name compared case-insensitively (as ASP.NET binds them).
pub(super) fn param<'a>(q: &'a Query, name: &str) -> Option<&'a str> {
    q.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `body[field]` as a list of ids (empty when absent).
pub(super) fn ids(body: &Value, field: &str) -> Vec<i64> {
    body[field]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// Exact equality between a JSON value and a query parameter.
pub(super) fn same(v: &Value, want: &str) -> bool {
    match v {
        Value::String(s) => s == want,
        Value::Number(n) => n.to_string() == want,
        Value::Bool(b) => b.to_string() == want,
        _ => false,
    }
}

/// Orders (by the case-insensitive `orderBy`, default the first of `order`; `direction`
/// `asc|ascending|desc|descending`, anything else ascending) and cuts by `offset`/`limit`
/// (defaults 0 and 25, no maximum), as the server does; an unknown `orderBy` is a 400.
pub(super) fn page(rows: Vec<Value>, q: &Query, order: &[(&'static str, &'static str)]) -> Reply {
    cut(rows, q, order).map_or_else(|e| e, |rows| ok(Value::Array(rows)))
}

/// The rows of one page, as [`page`] orders and cuts them.
pub(super) fn cut(
    mut rows: Vec<Value>,
    q: &Query,
    order: &[(&'static str, &'static str)],
) -> Result<Vec<Value>, Reply> {
    let asked = q
        .get("orderBy")
        .map(String::as_str)
        .filter(|o| !o.is_empty());
    let field = match asked {
        None => order[0].1,
        Some(o) => match order.iter().find(|(name, _)| name.eq_ignore_ascii_case(o)) {
            Some((_, field)) => field,
            None => {
                let allowed: Vec<&str> = order.iter().map(|(n, _)| *n).collect();
                return Err(validation(json!({"orderBy": [format!(
                    "The orderBy value {o} is not allowed. The allowed values are {}",
                    allowed.join(",")
                )]})));
            }
        },
    };
    let desc = q
        .get("direction")
        .is_some_and(|d| d.eq_ignore_ascii_case("desc") || d.eq_ignore_ascii_case("descending"));
    // Ordinal string order, like the server's binary collation.
    rows.sort_by(|a, b| {
        let o = match (&a[field], &b[field]) {
            (Value::Number(x), Value::Number(y)) => x.as_i64().cmp(&y.as_i64()),
            (x, y) => x
                .as_str()
                .unwrap_or_default()
                .cmp(y.as_str().unwrap_or_default()),
        };
        if desc { o.reverse() } else { o }
    });
    let number = |name: &str, default: usize| {
        q.get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .map_or(default, |n| n.max(0) as usize)
    };
    let (offset, limit) = (number("offset", 0), number("limit", 25));
    Ok(rows.into_iter().skip(offset).take(limit).collect())
}
