//! What the generated calls (`src/generated/`) stand on: the command's arguments read as the
//! typed layer's values, a listing's pages as records, and a request sent as the layer built it.

use bytes::Bytes;
use clap::ArgMatches;
use edu_common::paginate::PageStream;
use edu_common::{Error, RequestBuilder, Result};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use crate::answer::{Answer, json};
use crate::table::{Location, Operation, Param, values_of};

/// One command's arguments, for the typed layer.
pub struct Args<'a> {
    m: &'a ArgMatches,
    op: &'static Operation,
    body: Option<Bytes>,
    resume: Option<String>,
}

impl<'a> Args<'a> {
    /// The arguments `m` of `op`'s command, its JSON body (`--data` and `--set`) and the
    /// position a listing resumes from.
    pub fn new(
        m: &'a ArgMatches,
        op: &'static Operation,
        body: Option<Bytes>,
        resume: Option<String>,
    ) -> Self {
        Args {
            m,
            op,
            body,
            resume,
        }
    }

    fn param(&self, name: &str) -> Result<&'static Param> {
        self.op
            .params
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::Config(format!("{}: no parameter `{name}`", self.op.id)))
    }

    /// The value of parameter `name`, typed, if given.
    pub fn one<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        let p = self.param(name)?;
        values_of(self.m, p)
            .into_iter()
            .next()
            .map(|text| parse(p, &text))
            .transpose()
    }

    /// The value of the required parameter `name`, typed.
    pub fn required<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let p = self.param(name)?;
        self.one(name)?.ok_or_else(|| {
            Error::invalid_input(
                Some(p.name),
                format!("`{}` is required: give {}", p.name, arg_name(p)),
            )
        })
    }

    /// Every value given for the multi-value parameter `name`, typed; `None` when none was.
    pub fn many<T: DeserializeOwned>(&self, name: &str) -> Result<Option<Vec<T>>> {
        let p = self.param(name)?;
        let values = values_of(self.m, p);
        if values.is_empty() {
            return Ok(None);
        }
        values
            .iter()
            .map(|t| parse(p, t))
            .collect::<Result<_>>()
            .map(Some)
    }

    /// `--page-size` (no larger than `--limit`), if given.
    pub fn page_size(&self) -> Option<u32> {
        crate::table::page_size(self.m)
    }

    /// The cursor a listing resumes after.
    pub fn resume(&self) -> Option<String> {
        self.resume.clone()
    }

    /// The offset a listing resumes at.
    pub fn resume_offset(&self) -> Result<Option<u64>> {
        self.resume
            .as_deref()
            .map(|s| {
                s.parse::<u64>().map_err(|_| {
                    Error::Config(format!(
                        "the resume file's position `{s}` is not an offset; delete the resume file to start over"
                    ))
                })
            })
            .transpose()
    }

    /// The body's fields, when `--data` or `--set` gave any: a JSON object with every field
    /// the body requires.
    pub fn body(&self) -> Result<Option<Map<String, Value>>> {
        let Some(bytes) = &self.body else {
            return Ok(None);
        };
        let fields = match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(fields)) => fields,
            Ok(other) => {
                return Err(Error::invalid_input(
                    Some("data"),
                    format!("the body must be a JSON object, not {}", kind(&other)),
                ));
            }
            Err(e) => return Err(Error::invalid_input(Some("data"), e.to_string())),
        };
        let schema: Value = self
            .op
            .body_schema
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null);
        let missing: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|name| !fields.contains_key(*name))
            .collect();
        if let Some(first) = missing.first() {
            let sets: Vec<String> = missing.iter().map(|n| format!("--set {n}=…")).collect();
            return Err(Error::invalid_input(
                Some(first),
                format!(
                    "the body lacks {}: add {} (or put {} in --data)",
                    list(&missing),
                    sets.join(" "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
        Ok(Some(fields))
    }
}

/// `text` as the parameter's type: as a JSON string first (text, dates, enum values), then as
/// JSON (numbers, booleans).
fn parse<T: DeserializeOwned>(p: &Param, text: &str) -> Result<T> {
    serde_json::from_value(Value::String(text.to_owned()))
        .or_else(|_| serde_json::from_str(text))
        .map_err(|_| {
            let shown = crate::terminal::printable(text);
            Error::invalid_input(
                Some(p.name),
                format!(
                    "{} takes {}: `{shown}` is not one",
                    arg_name(p),
                    a(p.ty.trim_end_matches("[]"))
                ),
            )
        })
}

/// How the command line writes `p`: `<ID>` for a path parameter, `--start-date-from` for a
/// query parameter.
fn arg_name(p: &Param) -> String {
    match p.location {
        Location::Path => format!("<{}>", p.flag.to_uppercase().replace('-', "_")),
        Location::Query => format!("--{}", p.flag),
    }
}

/// "a date", "an integer".
fn a(ty: &str) -> String {
    let article = if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    match ty {
        "date" => "a date (2026-12-07)".to_owned(),
        "date-time" => "a date and time (2026-12-07T09:30:00Z)".to_owned(),
        _ => format!("{article} {ty}"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `a`, `a and b`, `a, b and c`.
fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(|n| format!("`{n}`")).collect();
            format!("{} and `{last}`", rest.join(", "))
        }
    }
}

/// A listing's pages as records, each page with its resume position.
pub fn pages<T, C>(pages: PageStream<T, C>, position: fn(C) -> String) -> Answer
where
    T: Serialize + Send + 'static,
    C: Send + 'static,
{
    Answer::Pages(
        pages
            .and_then(move |page| async move {
                let items = page.items.iter().map(json).collect::<Result<Vec<_>>>()?;
                Ok((items, page.next.map(position)))
            })
            .boxed(),
    )
}

/// Sends a request as the typed layer built it; the answer is the body as the server wrote it,
/// or for an empty answer to a create, the record's id from its `Location`.
pub async fn send(operation: &str, request: RequestBuilder) -> Result<Answer> {
    let answer = request.send_bytes().await?;
    let location = answer
        .headers
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let value = answer_body(operation, &answer.value, location)
        .map_err(|e| e.with_report(Some(answer.report)))?;
    Ok(Answer::One(value))
}

/// The answer's JSON; an empty answer to a create names the record through its `Location`.
fn answer_body(operation: &str, bytes: &[u8], location: Option<String>) -> Result<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(match location {
            Some(loc) => {
                // The last path segment (a query, fragment or trailing slash left out).
                let path = loc.split(['?', '#']).next().unwrap_or_default();
                let id = path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default();
                let id = id
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(id));
                serde_json::json!({ "id": id, "location": loc })
            }
            None => Value::Null,
        });
    }
    Error::decode_json(operation, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_as_prose() {
        assert_eq!(list(&["a"]), "`a`");
        assert_eq!(list(&["a", "b"]), "`a` and `b`");
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` and `c`");
    }

    #[test]
    fn an_empty_create_answer_names_the_record_by_its_location() {
        let v = answer_body("op", b"", Some("/vendors/17".into())).unwrap();
        assert_eq!(v, serde_json::json!({"id": 17, "location": "/vendors/17"}));
        let v = answer_body("op", b"", Some("/claimSets/9/?x=1".into())).unwrap();
        assert_eq!(v["id"], 9);
        assert_eq!(answer_body("op", b" \n", None).unwrap(), Value::Null);
        assert_eq!(answer_body("op", b"{\"a\":1}", None).unwrap()["a"], 1);
    }
}
