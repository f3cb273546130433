//! The `edu` command line's table of an API's operations, from the same model as the typed
//! layer: the resource and operation names a user of the client knows (`client.courses().get(7)`
//! is `edu eduframe courses get 7`), the method and path, every parameter with its type, enum
//! values and help, and how a listing pages. A new spec operation appears in the CLI when the
//! table is regenerated.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::config::{LayerConfig, Paging};
use super::model::{Op, resolve};
use super::naming::snake;
use super::types::vec_item;

/// The table's source (formatted by the caller).
pub(super) fn cli_table(
    spec: &Value,
    ops: &[Op],
    names: &HashMap<String, String>,
    config: &LayerConfig,
) -> TokenStream {
    let mut sorted: Vec<(String, String, &Op)> = ops
        .iter()
        .map(|op| {
            let resource = kebab(&snake(&op.tag));
            let mut name = names
                .get(&op.id)
                .map(|n| kebab(n))
                .unwrap_or_else(|| kebab(&snake(&op.id)));
            // `POST /claimSets` on the `claimSets` tag creates one, as on the other resources.
            if name == resource && op.method == "post" {
                name = "create".to_owned();
            }
            (resource, name, op)
        })
        .collect();
    sorted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let (cursor_param, size_param) = match config.paging {
        Paging::Cursor { cursor, page_size } => (cursor, page_size),
        Paging::Offset { offset, limit } => (offset, limit),
    };
    let entries = sorted.iter().map(|(resource, name, op)| {
        let id = &op.id;
        let method = op.method.to_uppercase();
        let path = &op.path;
        let summary = one_line(if op.summary.trim().is_empty() {
            &op.description
        } else {
            &op.summary
        });
        let body = op.has_body;
        let body_schema = match body_schema(spec, op) {
            Some(text) => quote!(Some(#text)),
            None => quote!(None),
        };
        let lists = op.method == "get" && vec_item(&op.builder.ok).is_some();
        let pages = lists && op.params.iter().any(|p| p.name == cursor_param);
        let paging = match (pages, config.paging) {
            (false, _) => quote!(Paging::None),
            (true, Paging::Cursor { .. }) => quote!(Paging::LinkHeader),
            (true, Paging::Offset { .. }) => quote!(Paging::Offset),
        };
        let params = op.params.iter().map(|p| {
            let pname = &p.name;
            let flag = kebab(&snake(&p.name));
            let location = if p.location == "path" {
                quote!(Location::Path)
            } else {
                quote!(Location::Query)
            };
            let schema = resolve(spec, &p.schema);
            let (ty, values) = type_of(spec, schema);
            let required = p.required;
            let help = one_line(&p.description);
            let paging_param = pages && (p.name == cursor_param || p.name == size_param);
            quote! {
                Param {
                    name: #pname,
                    flag: #flag,
                    location: #location,
                    ty: #ty,
                    values: &[#(#values),*],
                    required: #required,
                    help: #help,
                    paging: #paging_param,
                }
            }
        });
        quote! {
            Operation {
                resource: #resource,
                name: #name,
                id: #id,
                method: #method,
                path: #path,
                summary: #summary,
                params: &[#(#params),*],
                body: #body,
                body_schema: #body_schema,
                paging: #paging,
            }
        }
    });
    quote! {
        use crate::op_call::{Answer, Args, json, pages, send};
        use crate::table::{Location, Operation, Paging, Param};

        /// Every operation of the kept spec.
        pub static OPERATIONS: &[Operation] = &[#(#entries),*];
    }
}

/// The JSON body's schema with every `$ref` inlined and `allOf` parts merged, keeping what types
/// a value (`type`, `format`, `enum`, `items`, `properties`, `required`), as compact JSON: what
/// `edu … --set name=value` reads.
fn body_schema(spec: &Value, op: &Op) -> Option<String> {
    if !op.has_body {
        return None;
    }
    let pointer = format!(
        "/paths/{}/{}/requestBody/content/application~1json/schema",
        op.path.replace('~', "~0").replace('/', "~1"),
        op.method
    );
    let schema = spec.pointer(&pointer)?;
    Some(inlined(spec, schema, 0).to_string())
}

fn inlined(spec: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    let mut out = serde_json::Map::new();
    if depth > 6 {
        return Value::Object(out);
    }
    for key in ["type", "format", "enum"] {
        if let Some(v) = schema.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    let mut props = serde_json::Map::new();
    let mut required: Vec<Value> = Vec::new();
    let parts = std::iter::once(schema).chain(schema["allOf"].as_array().into_iter().flatten());
    for part in parts {
        let part = resolve(spec, part);
        if let Some(p) = part["properties"].as_object() {
            for (name, s) in p {
                props.insert(name.clone(), inlined(spec, s, depth + 1));
            }
        }
        required.extend(part["required"].as_array().into_iter().flatten().cloned());
        if out.get("type").is_none()
            && let Some(t) = part.get("type")
        {
            out.insert("type".to_owned(), t.clone());
        }
    }
    if !props.is_empty() {
        out.insert("type".to_owned(), Value::from("object"));
        out.insert("properties".to_owned(), Value::Object(props));
    }
    if !required.is_empty() {
        out.insert("required".to_owned(), Value::Array(required));
    }
    if schema.get("items").is_some() {
        out.insert(
            "items".to_owned(),
            inlined(spec, &schema["items"], depth + 1),
        );
    }
    Value::Object(out)
}

/// A parameter's type as the help shows it, and its enum values.
fn type_of(spec: &Value, schema: &Value) -> (String, Vec<String>) {
    let values = |s: &Value| -> Vec<String> {
        s["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect()
    };
    match schema["type"].as_str() {
        Some("array") => {
            let item = resolve(spec, &schema["items"]);
            let (inner, vals) = type_of(spec, item);
            (format!("{inner}[]"), vals)
        }
        Some(t) => {
            let t = match schema["format"].as_str() {
                Some(f @ ("date" | "date-time" | "uuid" | "email")) => f.to_owned(),
                _ => t.to_owned(),
            };
            (t, values(schema))
        }
        None => ("string".to_owned(), values(schema)),
    }
}

fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

/// The first line of a description, trimmed, without a trailing period.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_owned()
}
