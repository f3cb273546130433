//! The generated test that calls every operation through the layer against the simulator, and
//! says of each answer what it must show: the record asked for, the fields sent, a listing's
//! records once each, the state an action or a delete left behind.

use std::collections::HashMap;

use quote::format_ident;
use serde_json::Value;
use syn::{Expr, Stmt, Type, parse_quote};

use super::model::{Op, Param, body_ty, example, optional, positional, resolve};
use super::naming::{rust_ident, snake};
use super::types::{is_model, type_name, vec_item};

/// What the generator knows of one operation's call: the expression, and the values it sends.
struct Call {
    /// `c.<handler>().<method>(<args>)`, without `.await`.
    expr: Expr,
    /// The path parameters in order, as the example values sent.
    path_values: Vec<Value>,
    /// The JSON body sent, if any.
    body: Option<Value>,
    /// Whether it is a listing (then `expr` still needs `.stream()`).
    listing: bool,
}

/// `arg::<T>("<json>")`: the example value as the generated type.
fn arg_expr(t: &Type, value: &Value) -> Expr {
    let json = value.to_string();
    parse_quote!(arg::<#t>(#json))
}

/// The example values the operations are called with, and the call itself.
fn call_of(spec: &Value, op: &Op, method: &str, args_of: impl Fn(&Param) -> Value) -> Call {
    let handler = format_ident!("{}", snake(&op.tag));
    let method = format_ident!("{}", method);
    let mut args: Vec<Expr> = Vec::new();
    let mut path_values = Vec::new();
    for (ident, _, t) in positional(op, &[]) {
        let p = op
            .params
            .iter()
            .find(|p| rust_ident(&snake(&p.name)) == ident)
            .expect("a positional parameter is a parameter");
        let value = match args_of(p) {
            Value::String(s) if type_name(&t).as_deref() == Some("String") || is_model(&t) => {
                Value::String(s)
            }
            Value::String(_) => serde_json::json!(1),
            v => v,
        };
        if p.location == "path" {
            path_values.push(value.clone());
        }
        args.push(arg_expr(&t, &value));
    }
    let listing = op.method == "get" && vec_item(&op.builder.ok).is_some();
    let mut body: Option<(Value, Expr)> = None;
    if !listing && let Some(bt) = body_ty(op) {
        let schema = spec
            .pointer(&format!(
                "/paths/{}/{}/requestBody/content/application~1json/schema",
                op.path.replace('~', "~0").replace('/', "~1"),
                op.method
            ))
            .cloned()
            .unwrap_or(Value::Null);
        let value = example(spec, &schema, "", 0);
        let json = value.to_string();
        body = Some((value, parse_quote!(&arg::<#bt>(#json))));
    }
    let expr: Expr = match &body {
        Some((_, typed)) => parse_quote!(c.#handler().#method(#(#args),*).body(#typed)),
        None => parse_quote!(c.#handler().#method(#(#args),*)),
    };
    let body = body.map(|(value, _)| value);
    Call {
        expr,
        path_values,
        body,
        listing,
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn is_param(seg: &str) -> bool {
    seg.starts_with('{')
}

/// The `GET` that reads one record at `path` (`/x/{id}`), if the spec has one.
fn reader<'a>(ops: &'a [Op], path: &str) -> Option<&'a Op> {
    ops.iter().find(|o| {
        o.method == "get" && o.path == path && vec_item(&o.builder.ok).is_none() && !o.has_body
    })
}

/// The call of `reader` (a read of one record, or a listing) with the path values `values`
/// and nothing else.
fn read_back(reader: &Op, names: &HashMap<String, String>, values: &[Value]) -> Expr {
    let handler = format_ident!("{}", snake(&reader.tag));
    let method = format_ident!("{}", names[&reader.id]);
    let args: Vec<Expr> = positional(reader, &[])
        .iter()
        .zip(values)
        .map(|((_, _, t), v)| arg_expr(t, v))
        .collect();
    parse_quote!(c.#handler().#method(#(#args),*))
}

/// Whether the operation's success answer is a record with an `id` (per the spec: some answer
/// 204, or a 201 without a body).
fn answers_a_record(spec: &Value, op: &Op) -> bool {
    let Some(responses) = spec
        .pointer(&format!(
            "/paths/{}/{}/responses",
            op.path.replace('~', "~0").replace('/', "~1"),
            op.method
        ))
        .and_then(Value::as_object)
    else {
        return false;
    };
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .filter_map(|(_, r)| r.pointer("/content/application~1json/schema"))
        .any(|schema| has_id(spec, schema, 0))
}

/// The property names of the operation's success answer (with its `allOf` parts): the fields a
/// write's answer or read-back must carry when they were sent.
fn answer_fields(spec: &Value, op: &Op) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(responses) = spec
        .pointer(&format!(
            "/paths/{}/{}/responses",
            op.path.replace('~', "~0").replace('/', "~1"),
            op.method
        ))
        .and_then(Value::as_object)
    {
        for schema in responses
            .iter()
            .filter(|(code, _)| code.starts_with('2'))
            .filter_map(|(_, r)| r.pointer("/content/application~1json/schema"))
        {
            properties(spec, schema, 0, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn properties(spec: &Value, schema: &Value, depth: usize, out: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if depth >= 8 {
        return;
    }
    if let Some(props) = schema["properties"].as_object() {
        out.extend(props.keys().cloned());
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        properties(spec, part, depth + 1, out);
    }
}

/// What an operation that answers nothing (204) is for, where no rule of this file can tell:
/// the field a read-back of the record the path names must then hold. Eduframe's actions, from
/// their summaries ("Deny an order", "Mark teacher as active", "Add label to an order").
const EFFECTS: &[(&str, &str, &str)] = &[
    ("deny_order_by_id", "status", r#""denied""#),
    ("activate_teacher_by_id", "active", "true"),
    ("deactivate_teacher_by_id", "active", "false"),
];

/// Whether `schema` (or one of its `allOf` parts) has an `id` property.
fn has_id(spec: &Value, schema: &Value, depth: usize) -> bool {
    let schema = resolve(spec, schema);
    depth < 8
        && (schema["properties"].get("id").is_some()
            || schema["allOf"]
                .as_array()
                .is_some_and(|parts| parts.iter().any(|p| has_id(spec, p, depth + 1))))
}

/// The statements that call one operation and check its answer.
pub(super) fn checks(
    spec: &Value,
    ops: &[Op],
    names: &HashMap<String, String>,
    op: &Op,
) -> Vec<Stmt> {
    let id = op.id.as_str();
    let call = call_of(spec, op, &names[&op.id], |p| {
        example(spec, &p.schema, &p.name, 0)
    });
    let expr = &call.expr;
    let segs = segments(&op.path);
    let ends_in_param = segs.last().is_some_and(|s| is_param(s));
    // The record the path names (its id as the path carries it), when the answer is a record.
    let record = answers_a_record(spec, op);
    let record_id = call
        .path_values
        .last()
        .filter(|_| record && ends_in_param)
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
    let sent = call.body.as_ref().map(|b| b.to_string());
    let fields = answer_fields(spec, op);
    let fields: Expr = parse_quote!(&[#(#fields),*]);
    if call.listing {
        // A top-level collection is seeded; a nested one may hold nothing for record 1.
        let non_empty: Expr = if segs.len() == 1 {
            parse_quote!(!sparse)
        } else {
            parse_quote!(false)
        };
        return vec![parse_quote! {
            check!(#id, #expr.stream().try_collect::<Vec<_>>(), |got| listed(&got, #non_empty));
        }];
    }
    match (op.method.as_str(), ends_in_param) {
        ("get", true) if record_id.is_some() => {
            let want = record_id.unwrap_or_default();
            vec![parse_quote!(check!(#id, #expr, |got| same_id(&got, #want));)]
        }
        ("patch" | "put", true) => {
            let sent = sent.unwrap_or_else(|| "{}".into());
            let mut out: Vec<Stmt> = vec![match &record_id {
                Some(want) => parse_quote! {
                    check!(#id, #expr, |got| {
                        same_id(&got, #want)?;
                        reflects(#sent, &got, sparse, #fields)
                    });
                },
                None => parse_quote!(check!(#id, #expr, |_got| Ok(()));),
            }];
            if let Some(reader) = reader(ops, &op.path) {
                let back = read_back(reader, names, &call.path_values);
                let label = format!("{id} (read back)");
                let fields = answer_fields(spec, reader);
                out.push(parse_quote!(check!(#label, #back, |got| reflects(#sent, &got, sparse, &[#(#fields),*]));));
            }
            out
        }
        ("post", false) if record && !segs.iter().any(|s| is_param(s)) => {
            let sent = sent.unwrap_or_else(|| "{}".into());
            let reader = ops.iter().find(|o| {
                o.method == "get"
                    && vec_item(&o.builder.ok).is_none()
                    && segments(&o.path).len() == segs.len() + 1
                    && o.path.starts_with(&format!("{}/{{", op.path))
            });
            match reader.map(|r| (r, positional(r, &[]))) {
                Some((reader, params))
                    if params.len() == 1 && type_name(&params[0].2).as_deref() == Some("i64") =>
                {
                    let handler = format_ident!("{}", snake(&reader.tag));
                    let method = format_ident!("{}", names[&reader.id]);
                    let label = format!("{id} (read back)");
                    let read_fields = answer_fields(spec, reader);
                    vec![parse_quote! {
                        if let Some(new) = created(#id, #expr.await, #sent, sparse, #fields, &mut failures) {
                            check!(#label, c.#handler().#method(new), |got| reflects(#sent, &got, sparse, &[#(#read_fields),*]));
                        }
                    }]
                }
                _ => vec![parse_quote! {
                    created(#id, #expr.await, #sent, sparse, #fields, &mut failures);
                }],
            }
        }
        ("post", false) if record && listing_at(ops, &op.path).is_some() => {
            // A create under a parent (`/invoices/{invoice_id}/payments`): the new record, and
            // the listing at the same path holds it.
            let sent = sent.unwrap_or_else(|| "{}".into());
            let listing = listing_at(ops, &op.path).expect("checked above");
            let list = read_back(listing, names, &call.path_values);
            let label = format!("{id} (listed)");
            vec![parse_quote! {
                if let Some(new) = created(#id, #expr.await, #sent, sparse, #fields, &mut failures) {
                    check!(#label, #list.stream().try_collect::<Vec<_>>(), |got| holds(&got, new));
                }
            }]
        }
        ("post", false)
            if !segs.iter().any(|s| is_param(s)) && listing_at(ops, &op.path).is_some() =>
        {
            // A create that answers no record (`create_teacher`: 201 without a body): the
            // collection holds one record more than before.
            let listing = listing_at(ops, &op.path).expect("checked above");
            let list = read_back(listing, names, &[]);
            let label = format!("{id} (listed)");
            vec![parse_quote! {
                {
                    let before = #list.stream().try_collect::<Vec<_>>().await.map(|l| l.len());
                    check!(#id, #expr, |_got| Ok(()));
                    let after = #list.stream().try_collect::<Vec<_>>().await.map(|l| l.len());
                    checked += 1;
                    match (before, after) {
                        (Ok(b), Ok(a)) if a == b + 1 => {}
                        (b, a) => failures.push(format!("{}: {b:?} records before, {a:?} after", #label)),
                    }
                }
            }]
        }
        ("delete", true) => {
            let mut out: Vec<Stmt> = vec![parse_quote!(check!(#id, #expr, |_got| Ok(()));)];
            let label = format!("{id} (read back)");
            match reader(ops, &op.path) {
                Some(reader) => {
                    let back = read_back(reader, names, &call.path_values);
                    out.push(parse_quote!(gone!(#label, #back);));
                }
                // No read of one record: deleting it again finds nothing.
                None => out.push(parse_quote!(gone!(#label, #expr);)),
            }
            out
        }
        (m, false)
            if m != "get"
                && segs.len() >= 2
                && is_param(segs[segs.len() - 2])
                && !(m == "post" && record && listing_at(ops, &op.path).is_some()) =>
        {
            // An action on the record the path names (`/orders/{id}/approve`): when it answers
            // that record, a read-back shows the record as the action left it.
            let record_path = format!("/{}", segs[..segs.len() - 1].join("/"));
            let want = call.path_values.last().and_then(Value::as_i64);
            let effect = EFFECTS.iter().find(|(op_id, _, _)| *op_id == id);
            let label_of = call
                .body
                .as_ref()
                .and_then(|b| b.get("label_id"))
                .filter(|_| segs.last() == Some(&"labels"));
            match reader(ops, &record_path) {
                Some(reader) if record && want.is_some() => {
                    let want = want.unwrap_or_default();
                    let back = read_back(reader, names, &call.path_values);
                    let label = format!("{id} (read back)");
                    vec![parse_quote! {
                        if let Some(answer) = answered(#id, #expr.await, &mut failures) {
                            if answer.get("id") == Some(&json!(#want)) {
                                check!(#label, #back, |got| same_record(&answer, &got));
                            } else {
                                failures.push(format!("{}: the action on record {} answered record {:?}", #id, #want, answer.get("id")));
                            }
                        }
                    }]
                }
                Some(reader) if effect.is_some() => {
                    let (_, field, value) = effect.expect("checked above");
                    let back = read_back(reader, names, &call.path_values);
                    let label = format!("{id} (read back)");
                    vec![
                        parse_quote!(check!(#id, #expr, |_got| Ok(()));),
                        parse_quote!(check!(#label, #back, |got| holds_value(&got, #field, #value, sparse));),
                    ]
                }
                Some(reader) if label_of.is_some() => {
                    // Adding a label: the record's `label_ids` holds it.
                    let label_id = label_of.map(Value::to_string).unwrap_or_default();
                    let back = read_back(reader, names, &call.path_values);
                    let label = format!("{id} (read back)");
                    vec![
                        parse_quote!(check!(#id, #expr, |_got| Ok(()));),
                        parse_quote!(check!(#label, #back, |got| contains(&got, "label_ids", #label_id, sparse));),
                    ]
                }
                _ => vec![parse_quote!(check!(#id, #expr, |_got| Ok(()));)],
            }
        }
        ("get", false) if record => {
            // A record the path does not name (`/educators/current`): one with an id.
            vec![parse_quote!(check!(#id, #expr, |got| has_id(&got));)]
        }
        ("get", _) => {
            // A document that is not a record (`/invoices/{id}/pdf`): a JSON object.
            vec![
                parse_quote!(check!(#id, #expr, |got| if got.is_object() { Ok(()) } else { Err(format!("not an object: {got}")) });),
            ]
        }
        _ => vec![parse_quote!(check!(#id, #expr, |_got| Ok(()));)],
    }
}

/// The listing `GET` at `path` (`/invoices/{invoice_id}/payments`), if the spec has one.
fn listing_at<'a>(ops: &'a [Op], path: &str) -> Option<&'a Op> {
    ops.iter()
        .find(|o| o.method == "get" && o.path == path && vec_item(&o.builder.ok).is_some())
}

/// `sent!(<operation>, [<query names>], <call with every optional setter set>);`, or nothing
/// for an operation without query parameters (paging aside).
pub(super) fn parameter_call(
    spec: &Value,
    op: &Op,
    method: &str,
    paging: &[&str],
) -> Option<(Stmt, usize)> {
    let call = call_of(spec, op, method, |p| example(spec, &p.schema, &p.name, 0));
    let skip: Vec<&str> = if call.listing {
        paging.to_vec()
    } else {
        vec![]
    };
    let queried: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.location == "query" && !skip.contains(&p.setter.as_str()))
        .collect();
    if queried.is_empty() {
        return None;
    }
    let mut expr = call.expr;
    for (p, setter) in optional(op, &skip) {
        let numeric = type_name(&setter.ty).is_some_and(|n| {
            [
                "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
            ]
            .contains(&n.as_str())
                || n.starts_with("NonZero")
        });
        // An array parameter gets one item: an empty one is not sent at all.
        let schema = resolve(spec, &p.schema);
        let value = if schema["type"] == "array" {
            Value::Array(vec![example(spec, &schema["items"], &p.name, 1)])
        } else {
            example(spec, &p.schema, &p.name, 0)
        };
        let value = match value {
            Value::String(_) if numeric => serde_json::json!(1),
            v => v,
        };
        let name = format_ident!("{}", setter.name);
        let value = arg_expr(&setter.ty, &value);
        expr = parse_quote!(#expr.#name(#value));
    }
    if call.listing {
        expr = parse_quote!(#expr.stream().try_collect::<Vec<_>>());
    }
    let id = op.id.as_str();
    let names = queried.iter().map(|p| p.name.as_str());
    Some((
        parse_quote!(sent!(#id, [#(#names),*], #expr);),
        queried.len(),
    ))
}
