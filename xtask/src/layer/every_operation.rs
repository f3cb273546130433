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
    let mut body = None;
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
        args.push(parse_quote!(&arg::<#bt>(#json)));
        body = Some(value);
    }
    Call {
        expr: parse_quote!(c.#handler().#method(#(#args),*)),
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

/// The call of `reader` with the path values `values` (the same record's).
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
fn checks(spec: &Value, ops: &[Op], names: &HashMap<String, String>, op: &Op) -> Vec<Stmt> {
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
                        reflects(#sent, &got, sparse)
                    });
                },
                None => parse_quote!(check!(#id, #expr, |_got| Ok(()));),
            }];
            if let Some(reader) = reader(ops, &op.path) {
                let back = read_back(reader, names, &call.path_values);
                let label = format!("{id} (read back)");
                out.push(parse_quote!(check!(#label, #back, |got| reflects(#sent, &got, sparse));));
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
                    vec![parse_quote! {
                        if let Some(new) = created(#id, #expr.await, #sent, sparse, &mut failures) {
                            check!(#label, c.#handler().#method(new), |got| reflects(#sent, &got, sparse));
                        }
                    }]
                }
                _ => vec![parse_quote! {
                    created(#id, #expr.await, #sent, sparse, &mut failures);
                }],
            }
        }
        ("delete", true) => {
            let mut out: Vec<Stmt> = vec![parse_quote!(check!(#id, #expr, |_got| Ok(()));)];
            if let Some(reader) = reader(ops, &op.path) {
                let back = read_back(reader, names, &call.path_values);
                let label = format!("{id} (read back)");
                out.push(parse_quote!(gone!(#label, #back);));
            }
            out
        }
        (_, false) if segs.len() >= 2 && is_param(segs[segs.len() - 2]) => {
            // An action on the record the path names (`/orders/{id}/approve`): when it answers
            // that record, a read-back shows the record as the action left it.
            let record_path = format!("/{}", segs[..segs.len() - 1].join("/"));
            let want = call.path_values.last().and_then(Value::as_i64);
            match reader(ops, &record_path) {
                Some(reader) if record && want.is_some() => {
                    let want = want.unwrap_or_default();
                    let back = read_back(reader, names, &call.path_values);
                    let label = format!("{id} (read back)");
                    vec![parse_quote! {
                        if let Some(answer) = answered(#id, #expr.await, &mut failures)
                            && answer.get("id") == Some(&json!(#want))
                        {
                            check!(#label, #back, |got| same_record(&answer, &got));
                        }
                    }]
                }
                _ => vec![parse_quote!(check!(#id, #expr, |_got| Ok(()));)],
            }
        }
        _ => vec![parse_quote!(check!(#id, #expr, |_got| Ok(()));)],
    }
}

/// `sent!(<operation>, [<query names>], <call with every optional setter set>);`, or nothing
/// for an operation without query parameters (paging aside).
fn parameter_call(spec: &Value, op: &Op, method: &str, paging: &[&str]) -> Option<(Stmt, usize)> {
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

/// The every-operation test file.
pub(super) fn every_operation_test(
    spec: &Value,
    ops: &[Op],
    names: &HashMap<String, String>,
    krate: &str,
    paging: &[&str],
) -> syn::File {
    let krate = format_ident!("{}", krate);
    let mut ordered: Vec<&Op> = ops.iter().collect();
    // Deletes last, so every other operation finds record 1.
    ordered.sort_by_key(|o| o.method == "delete");
    let calls: Vec<Stmt> = ordered
        .iter()
        .flat_map(|op| checks(spec, ops, names, op))
        .collect();
    let mut documented = 0usize;
    let param_calls: Vec<Stmt> = ordered
        .iter()
        .filter_map(|op| parameter_call(spec, op, &names[&op.id], paging))
        .map(|(stmt, n)| {
            documented += n;
            stmt
        })
        .collect();
    let n = ops.len();
    parse_quote! {
        //! @generated by `cargo xtask generate`: every operation of the kept spec, called through
        //! the typed layer against the simulator. The request must pass the simulator's validation
        //! against the spec, the answer must decode into the generated types (with records that
        //! carry every property, and with sparse records that carry only identifiers), and each
        //! answer must show what its operation is for: a read the record it names, a write the
        //! fields it sent (read back too), a create a new record that can be read, a delete a
        //! record that is gone, an action the record as a read-back shows it, a listing each
        //! record once.
        #![cfg(feature = "mock")]

        use futures::TryStreamExt;
        use serde_json::{Value, json};

        use #krate::mock::Simulator;
        use #krate::types;

        /// An example value as a generated type.
        fn arg<T: serde::de::DeserializeOwned>(json: &str) -> T {
            serde_json::from_str(json).expect("the example fits the generated type")
        }

        /// An answer as JSON, to be checked whatever its type.
        fn json_of<T: serde::Serialize>(answer: &T) -> Value {
            serde_json::to_value(answer).expect("an answer serializes")
        }

        /// The answer is the record asked for (`want` as the path carried it).
        fn same_id(got: &Value, want: &str) -> Result<(), String> {
            match got.get("id") {
                Some(Value::String(id)) if id == want => Ok(()),
                Some(Value::Number(id)) if want.parse().ok().as_ref() == Some(id) => Ok(()),
                other => Err(format!("asked for record {want}, got id {other:?}")),
            }
        }

        /// Every scalar field sent that the record carries comes back with the value sent (a
        /// decimal may come back as its text, as Rails writes decimals). A field the answer's
        /// schema does not have is not compared; sparse records carry only their id, so there
        /// a field may also be absent or null.
        fn reflects(sent: &str, got: &Value, sparse: bool) -> Result<(), String> {
            let sent: Value = serde_json::from_str(sent).expect("the body is JSON");
            let Some(fields) = sent.as_object() else { return Ok(()) };
            let number = |v: &Value| match v {
                Value::String(s) => s.parse::<f64>().ok(),
                v => v.as_f64(),
            };
            for (name, value) in fields {
                if value.is_object() || value.is_array() || value.is_null() {
                    continue;
                }
                match got.get(name) {
                    None => {}
                    Some(Value::Null) if sparse => {}
                    Some(back) if back == value => {}
                    Some(back) if value.is_number() && number(back) == value.as_f64() => {}
                    Some(back) => {
                        return Err(format!("sent {name} = {value}, the record has {back}"));
                    }
                }
            }
            Ok(())
        }

        /// A listing's records: each once, and (where asked) at least one.
        fn listed(got: &Value, non_empty: bool) -> Result<(), String> {
            let items = got.as_array().ok_or("a listing is an array")?;
            if non_empty && items.is_empty() {
                return Err("a seeded collection listed no record".into());
            }
            let mut seen = std::collections::HashSet::new();
            for item in items {
                if let Some(id) = item.get("id").filter(|id| !id.is_null())
                    && !seen.insert(id.to_string())
                {
                    return Err(format!("record {id} listed twice"));
                }
            }
            Ok(())
        }

        /// The record as a read-back shows it is the record the action answered.
        fn same_record(answer: &Value, got: &Value) -> Result<(), String> {
            if answer == got {
                Ok(())
            } else {
                Err(format!("the action answered {answer}, a read-back shows {got}"))
            }
        }

        /// Checks a create's answer (a new record with an id, carrying what was sent) and
        /// returns the new id.
        fn created<T: serde::Serialize>(
            id: &str,
            answer: Result<T, impl std::fmt::Display>,
            sent: &str,
            sparse: bool,
            failures: &mut Vec<String>,
        ) -> Option<i64> {
            let got = answered(id, answer, failures)?;
            let new = got.get("id").and_then(Value::as_i64);
            if got.get("id").is_none_or(Value::is_null) {
                failures.push(format!("{id}: the new record has no id"));
            }
            if let Err(e) = reflects(sent, &got, sparse) {
                failures.push(format!("{id}: {e}"));
            }
            new
        }

        /// Runs one answer's check, noting its failure.
        fn verify(
            id: &str,
            got: Value,
            expect: impl FnOnce(Value) -> Result<(), String>,
            failures: &mut Vec<String>,
        ) {
            if let Err(e) = expect(got) {
                failures.push(format!("{id}: {e}"));
            }
        }

        /// The answer as JSON, or its error noted.
        fn answered<T: serde::Serialize>(
            id: &str,
            answer: Result<T, impl std::fmt::Display>,
            failures: &mut Vec<String>,
        ) -> Option<Value> {
            match answer {
                Ok(a) => Some(json_of(&a)),
                Err(e) => {
                    failures.push(format!("{id}: {e}"));
                    None
                }
            }
        }

        /// Calls every operation once and checks every answer.
        async fn every_operation(sparse: bool) {
            let sim = Simulator::builder().records(12).sparse(sparse).start().await;
            let c = sim.client();
            let mut failures: Vec<String> = Vec::new();
            let mut checked = 0usize;
            macro_rules! check {
                ($id:expr, $call:expr, $expect:expr) => {
                    checked += 1;
                    if let Some(got) = answered($id, $call.await, &mut failures) {
                        verify($id, got, $expect, &mut failures);
                    }
                };
            }
            macro_rules! gone {
                ($id:expr, $call:expr) => {
                    checked += 1;
                    match $call.await {
                        Err(e) if e.is_not_found() => {}
                        Err(e) => failures.push(format!("{}: {e}", $id)),
                        Ok(_) => failures.push(format!("{}: the deleted record is still there", $id)),
                    }
                };
            }
            #(#calls)*
            assert!(
                failures.is_empty(),
                "{} of {checked} checks failed (sparse: {sparse}):\n{}",
                failures.len(),
                failures.join("\n")
            );
            assert_eq!(sim.operations_served().len(), #n, "operations the simulator answered");
        }

        #[tokio::test]
        async fn every_operation_validates_and_decodes() {
            every_operation(false).await;
        }

        #[tokio::test]
        async fn every_operation_decodes_sparse_records() {
            every_operation(true).await;
        }

        /// Every documented query parameter (paging aside) reaches the server through the typed
        /// API: each operation is called with every optional setter set, and the simulator's log
        /// must show each parameter in the request's query. A parameter without a setter makes
        /// the count differ from the spec's.
        #[tokio::test]
        async fn every_documented_parameter_has_a_setter_that_sends_it() {
            let sim = Simulator::builder().records(12).no_rate_limit().start().await;
            let c = sim.client();
            let mut failures: Vec<String> = Vec::new();
            let mut checked = 0usize;
            macro_rules! sent {
                ($id:literal, [$($p:literal),*], $call:expr) => {
                    let before = sim.requests().len();
                    match $call.await {
                        Err(e) => failures.push(format!("{}: {e}", $id)),
                        Ok(_) => match sim.requests().get(before) {
                            None => failures.push(format!("{}: nothing was sent", $id)),
                            Some(r) => {
                                for p in [$($p),*] {
                                    checked += 1;
                                    if !r.request.url.query_pairs().any(|(k, _)| k == p) {
                                        failures.push(format!("{}: `{p}` not sent in {}", $id, r.request.url));
                                    }
                                }
                            }
                        },
                    }
                };
            }
            #(#param_calls)*
            assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
            assert_eq!(checked, #documented, "documented query parameters checked");
        }
    }
}
