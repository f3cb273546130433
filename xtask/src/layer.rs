//! The typed layer over a progenitor client, generated from the same kept spec.
//!
//! progenitor writes one method (or builder) per operation; its calls return `progenitor_client`
//! types and do not paginate. This pass writes, for every operation the configuration selects:
//!
//! - a request type of the crate's own, whose `send()` (or `.await`) returns the crate's
//!   `Result<T>` (`edu_common::Error`), with the operation's query parameters as typed setters and
//!   its path parameters and body as arguments;
//! - for every `GET` that answers an array, a listing instead: typed filters, a page-size setter,
//!   `.pages()` and `.stream()`, driven by the API's paging (a cursor in the `Link` header, or
//!   offset and limit);
//! - optionally, one resource handler per spec tag (`client.leads().get(42)`), with method
//!   names derived from the path's shape, not written per operation.
//!
//! The parameter and result types are read from progenitor's own output (the syntax tree it
//! produced), so the layer cannot disagree with the code it wraps. Either of progenitor's
//! interfaces works: with the builder interface a request sets the builder's setters; with the
//! positional one (Eduframe: a third of the code) it keeps the parameters itself and passes them
//! to the operation's `async fn`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use quote::ToTokens;
use serde_json::Value;
use syn::{
    FnArg, GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type, WherePredicate,
};

/// How an API pages its lists.
#[derive(Clone, Copy)]
pub enum Paging {
    /// A `cursor` query parameter, the next one in the `Link` header's `rel="next"`, and a page
    /// size parameter (Eduframe).
    Cursor {
        cursor: &'static str,
        page_size: &'static str,
    },
    /// `offset` and `limit` query parameters; a short page is the last (Ed-Fi).
    Offset {
        offset: &'static str,
        limit: &'static str,
    },
}

/// What to generate for one API.
pub struct LayerConfig {
    /// Output file, relative to the crate folder.
    pub output: &'static str,
    /// Resource handlers and request types for every operation (`true`), or only the listings
    /// (`false`: the crate's hand-written handlers cover the other operations).
    pub handlers: bool,
    /// The API's paging.
    pub paging: Paging,
    /// The crate's function that checks a page size: `fn(Option<u32>) -> Result<u32>`.
    pub page_size_fn: &'static str,
    /// A test that calls every operation through the layer against the crate's simulator
    /// (`handlers` only): file relative to the crate folder, and the crate's name in Rust.
    pub test: Option<(&'static str, &'static str)>,
}

/// One parameter of a generated operation: a setter of its progenitor builder, or an argument
/// of its positional method.
#[derive(Clone)]
struct Setter {
    name: String,
    /// The owned type the layer keeps the value in.
    ty: String,
    /// How the positional method takes it (`Pass::Setter` in the builder interface).
    pass: Pass,
    /// Whether the positional method takes it as an `Option`.
    optional: bool,
}

/// How a positional method takes a parameter the layer keeps as an owned value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// A builder setter, by value (the builder interface).
    Setter,
    /// `&str` (kept as a `String`).
    Str,
    /// `&T` (kept as a `T`).
    Ref,
    /// `T`, by value.
    Value,
}

/// One generated operation: its parameters and what it answers, and for a positional method
/// the order of its arguments (`None` for a builder).
#[derive(Clone)]
struct Builder {
    setters: Vec<Setter>,
    ok: String,
    call: Option<Vec<String>>,
}

/// One spec parameter.
struct Param {
    name: String,
    schema: Value,
    setter: String,
    location: String,
    required: bool,
    description: String,
}

/// One operation, with everything the layer needs.
struct Op {
    id: String,
    method: String,
    path: String,
    tag: String,
    summary: String,
    description: String,
    raw_fn: String,
    type_name: String,
    params: Vec<Param>,
    has_body: bool,
    builder: Builder,
}

/// What the generation produced, for the log line.
pub struct Stats {
    pub operations: usize,
    pub typed: usize,
    pub listings: usize,
    pub paginated: usize,
}

/// What one run writes: the layer, and the every-operation test if configured.
pub struct Output {
    pub layer: String,
    pub test: Option<String>,
    pub stats: Stats,
}

/// Writes the layer for `spec` over the generated client `file`.
pub fn generate(spec: &Value, file: &syn::File, config: &LayerConfig) -> Result<Output> {
    let (builders, raw_fns) = if has_builders(file) {
        (builders(file)?, client_fns(file))
    } else {
        positional_fns(file)?
    };
    let ops = operations(spec, &builders, &raw_fns)?;
    let tag_docs = tag_docs(spec);
    let mut out = String::new();
    out.push_str(if config.handlers {
        "use std::future::IntoFuture;\n\nuse futures::future::BoxFuture;\n"
    } else {
        ""
    });
    out.push_str(
        "use edu_common::Result;\n\
         use edu_common::paginate::{self, ItemStream, PageStream};\n\n\
         use crate::Client;\n\
         use crate::generated::types;\n\n",
    );
    let mut stats = Stats {
        operations: ops.len(),
        typed: 0,
        listings: 0,
        paginated: 0,
    };
    let mut by_tag: BTreeMap<String, Vec<(&Op, String)>> = BTreeMap::new();
    let names = if config.handlers {
        method_names(&ops)?
    } else {
        HashMap::new()
    };
    for op in &ops {
        let listing = op.method == "get" && vec_item(&op.builder.ok).is_some();
        if listing {
            let paginated = write_listing(&mut out, op, config)?;
            stats.listings += 1;
            stats.paginated += usize::from(paginated);
            stats.typed += 1;
        } else if config.handlers {
            write_request(&mut out, op)?;
            stats.typed += 1;
        } else {
            continue;
        }
        if config.handlers {
            by_tag
                .entry(op.tag.clone())
                .or_default()
                .push((op, names[&op.id].clone()));
        }
    }
    for (tag, ops) in &by_tag {
        write_handler(&mut out, tag, tag_docs.get(tag), ops);
    }
    let file: syn::File = syn::parse_file(&out).context("the generated layer does not parse")?;
    let test = match config.test {
        Some((_, krate)) if config.handlers => {
            let paging: Vec<&str> = match config.paging {
                Paging::Cursor { cursor, page_size } => vec![cursor, page_size],
                Paging::Offset { offset, limit } => vec![offset, limit],
            };
            let code = every_operation_test(spec, &ops, &names, krate, &paging);
            let file: syn::File =
                syn::parse_file(&code).context("the generated test does not parse")?;
            Some(rustfmt(&prettyplease::unparse(&file))?)
        }
        _ => None,
    };
    Ok(Output {
        layer: prettyplease::unparse(&file),
        test,
        stats,
    })
}

/// Formats a test file as `cargo fmt` would (it lives under `tests/`, where `cargo fmt --check`
/// looks).
fn rustfmt(code: &str) -> Result<String> {
    use std::io::Write as _;
    let mut child = std::process::Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running rustfmt on the generated test")?;
    child
        .stdin
        .take()
        .context("rustfmt's stdin")?
        .write_all(code.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("rustfmt refused the generated test");
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// A JSON value that fits `schema`: required properties only, the first enum value, the
/// minimum of a bounded number.
fn example(spec: &Value, schema: &Value, name: &str, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    if depth > 8 {
        return Value::Null;
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(first) = schema[k].as_array().and_then(|a| a.first()) {
            return example(spec, first, name, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|a| a.first()) {
        return first.clone();
    }
    let object = schema.get("properties").is_some() || schema.get("allOf").is_some();
    match schema["type"].as_str() {
        Some("integer") => serde_json::json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        Some("number") => serde_json::json!(schema["minimum"].as_f64().unwrap_or(1.0).max(1.0)),
        Some("boolean") => Value::Bool(true),
        Some("array") => {
            let n = schema["minItems"].as_u64().unwrap_or(0);
            Value::Array(
                (0..n)
                    .map(|_| example(spec, &schema["items"], name, depth + 1))
                    .collect(),
            )
        }
        Some("string") if schema["pattern"].is_string() => {
            const SHAPES: &[&str] = &["#1a2b3c", "1", "a", "A1", "AB12", "nl", "NL", "2026-09-01"];
            let re = regress::Regex::new(schema["pattern"].as_str().unwrap_or_default()).ok();
            let fit = SHAPES
                .iter()
                .find(|s| re.as_ref().is_some_and(|re| re.find(s).is_some()))
                .copied()
                .unwrap_or("1");
            serde_json::json!(fit)
        }
        Some("string") => serde_json::json!(match schema["format"].as_str() {
            Some("date-time") => "2026-09-01T08:00:00.000Z",
            Some("date") => "2026-09-01",
            Some("email") => "someone@example.nl",
            Some("uri") | Some("url") => "https://example.nl/",
            Some("uuid") => "00000000-0000-4000-8000-000000000001",
            _ if name.contains("email") => "someone@example.nl",
            _ => "1",
        }),
        Some("object") | None if object || schema["type"] == "object" => {
            let mut props = serde_json::Map::new();
            let mut required = Vec::new();
            let mut parts = vec![schema.clone()];
            parts.extend(
                schema["allOf"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| resolve(spec, p).clone()),
            );
            for part in &parts {
                if let Some(p) = part["properties"].as_object() {
                    props.extend(p.clone());
                }
                required.extend(
                    part["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned),
                );
            }
            let mut out = serde_json::Map::new();
            for r in required {
                let s = props.get(&r).cloned().unwrap_or(Value::Null);
                out.insert(r.clone(), example(spec, &s, &r, depth + 1));
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

/// The every-operation test: one call per operation through the handlers, against the
/// simulator, each of which must validate there and decode here.
fn every_operation_test(
    spec: &Value,
    ops: &[Op],
    names: &HashMap<String, String>,
    krate: &str,
    paging: &[&str],
) -> String {
    let mut calls = String::new();
    // Every documented query parameter (paging aside), and the calls that set each optional one.
    let mut param_calls = String::new();
    let mut documented = 0usize;
    let mut ordered: Vec<&Op> = ops.iter().collect();
    // Deletes last, so every other operation finds record 1.
    ordered.sort_by_key(|o| o.method == "delete");
    for op in ordered {
        let handler = snake(&op.tag);
        let method = &names[&op.id];
        let mut args = Vec::new();
        for (ident, _, ty) in positional(op, &[]) {
            let p = op
                .params
                .iter()
                .find(|p| rust_ident(&snake(&p.name)) == ident)
                .expect("a positional parameter is a parameter");
            let value = match example(spec, &p.schema, &p.name, 0) {
                Value::String(s) if ty.contains("String") || ty.starts_with("types") => {
                    Value::String(s)
                }
                Value::String(_) => serde_json::json!(1),
                v => v,
            };
            args.push(format!("arg::<{ty}>(json!({value}))"));
        }
        let listing = op.method == "get" && vec_item(&op.builder.ok).is_some();
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
            args.push(format!("&arg::<{bt}>(json!({value}))"));
        }
        let call = format!("c.{handler}().{method}({})", args.join(", "));
        let finish = |call: &str| {
            if listing {
                format!("{call}.stream().try_collect::<Vec<_>>()")
            } else {
                call.to_owned()
            }
        };
        let queried: Vec<&Param> = op
            .params
            .iter()
            .filter(|p| p.location == "query" && !(listing && paging.contains(&p.setter.as_str())))
            .collect();
        documented += queried.len();
        if !queried.is_empty() {
            let skip: Vec<&str> = if listing { paging.to_vec() } else { vec![] };
            let mut chained = call.clone();
            for (p, setter) in optional(op, &skip) {
                let numeric = [
                    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
                ]
                .iter()
                .any(|n| setter.ty.ends_with(n) || setter.ty.contains("NonZero"));
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
                let _ = write!(
                    chained,
                    ".{}(arg::<{}>(json!({value})))",
                    setter.name, setter.ty
                );
            }
            let names: Vec<String> = queried.iter().map(|p| format!("{:?}", p.name)).collect();
            let _ = writeln!(
                param_calls,
                "    sent!({:?}, [{}], {});",
                op.id,
                names.join(", "),
                finish(&chained)
            );
        }
        let _ = writeln!(calls, "    check!({:?}, {});", op.id, finish(&call));
    }
    format!(
        "//! @generated by `cargo xtask generate`: every operation of the kept spec, called through\n\
         //! the typed layer against the simulator. The request must pass the simulator's validation\n\
         //! against the spec, and the answer must decode into the generated types: with records\n\
         //! that carry every property, and with sparse records that carry only identifiers.\n\n\
         #![cfg(feature = \"mock\")]\n\n\
         use futures::TryStreamExt;\nuse serde_json::json;\n\nuse {krate}::mock::Simulator;\nuse {krate}::types;\n\n\
         fn arg<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {{\n\
             serde_json::from_value(v).expect(\"the example fits the generated type\")\n}}\n\n\
         /// Calls every operation once and asserts that every call succeeded.\n\
         async fn every_operation(sparse: bool) {{\n\
             let sim = Simulator::builder().records(12).sparse(sparse).start().await;\n    let c = sim.client();\n\
             let mut failures: Vec<String> = Vec::new();\n    let mut calls = 0usize;\n\
             macro_rules! check {{\n        ($id:literal, $call:expr) => {{\n            calls += 1;\n\
                     if let Err(e) = $call.await {{\n                failures.push(format!(\"{{}}: {{e}}\", $id));\n            }}\n        }};\n    }}\n\
         {calls}\n\
             assert!(failures.is_empty(), \"{{}} of {{calls}} operations failed (sparse: {{sparse}}):\\n{{}}\", failures.len(), failures.join(\"\\n\"));\n\
             assert_eq!(calls, {n});\n\
             assert_eq!(sim.operations_served().len(), {n}, \"operations the simulator answered\");\n}}\n\n\
         #[tokio::test]\nasync fn every_operation_validates_and_decodes() {{\n    every_operation(false).await;\n}}\n\n\
         #[tokio::test]\nasync fn every_operation_decodes_sparse_records() {{\n    every_operation(true).await;\n}}\n\n\
         /// Every documented query parameter (paging aside) reaches the server through the typed\n\
         /// API: each operation is called with every optional setter set, and the simulator's log\n\
         /// must show each parameter in the request's query. A parameter without a setter makes\n\
         /// the count differ from the spec's.\n\
         #[tokio::test]\nasync fn every_documented_parameter_has_a_setter_that_sends_it() {{\n\
             let sim = Simulator::builder().records(12).no_rate_limit().start().await;\n    let c = sim.client();\n\
             let mut failures: Vec<String> = Vec::new();\n    let mut checked = 0usize;\n\
             macro_rules! sent {{\n        ($id:literal, [$($p:literal),*], $call:expr) => {{\n\
                     let before = sim.requests().len();\n\
                     match $call.await {{\n\
                         Err(e) => failures.push(format!(\"{{}}: {{e}}\", $id)),\n\
                         Ok(_) => match sim.requests().get(before) {{\n\
                             None => failures.push(format!(\"{{}}: nothing was sent\", $id)),\n\
                             Some(r) => {{\n\
                                 for p in [$($p),*] {{\n\
                                     checked += 1;\n\
                                     if !r.request.url.query_pairs().any(|(k, _)| k == p) {{\n\
                                         failures.push(format!(\"{{}}: `{{p}}` not sent in {{}}\", $id, r.request.url));\n\
                                     }}\n\
                                 }}\n\
                             }}\n\
                         }},\n\
                     }}\n\
                 }};\n    }}\n\
         {param_calls}\n\
             assert!(failures.is_empty(), \"{{}} failures:\\n{{}}\", failures.len(), failures.join(\"\\n\"));\n\
             assert_eq!(checked, {documented}, \"documented query parameters checked\");\n}}\n",
        n = ops.len()
    )
}

// ---------------------------------------------------------------------------------------------
// Reading progenitor's output.

fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// The builders in `mod builder`, by type name.
fn builders(file: &syn::File) -> Result<HashMap<String, Builder>> {
    let Some(items) = file.items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    }) else {
        bail!("progenitor's output has no `mod builder` (the layer needs the builder interface)");
    };
    let mut out = HashMap::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        let name = self_ty
            .path
            .segments
            .last()
            .expect("a path")
            .ident
            .to_string();
        let mut b = Builder {
            setters: Vec::new(),
            ok: String::new(),
            call: None,
        };
        for it in &imp.items {
            let ImplItem::Fn(f) = it else { continue };
            let fname = f.sig.ident.to_string();
            if fname == "send" {
                b.ok = send_ok(&f.sig.output)
                    .with_context(|| format!("reading the result type of {name}::send"))?;
            } else if fname != "new"
                && !fname.ends_with("_map")
                && let Some(ty) = setter_type(f)
            {
                b.setters.push(Setter {
                    name: fname,
                    ty,
                    pass: Pass::Setter,
                    optional: false,
                });
            }
        }
        out.insert(name, b);
    }
    Ok(out)
}

/// `V: std::convert::TryInto<T>` → `T`.
fn setter_type(f: &syn::ImplItemFn) -> Option<String> {
    let wc = f.sig.generics.where_clause.as_ref()?;
    for pred in &wc.predicates {
        let WherePredicate::Type(pt) = pred else {
            continue;
        };
        for bound in &pt.bounds {
            let syn::TypeParamBound::Trait(tb) = bound else {
                continue;
            };
            let seg = tb.path.segments.last()?;
            if seg.ident == "TryInto"
                && let PathArguments::AngleBracketed(a) = &seg.arguments
                && let Some(GenericArgument::Type(t)) = a.args.first()
            {
                return Some(tokens(t));
            }
        }
    }
    None
}

/// `Result<ResponseValue<T>, Error<E>>` → `T`.
fn send_ok(output: &ReturnType) -> Result<String> {
    let ReturnType::Type(_, ty) = output else {
        bail!("send() returns nothing");
    };
    let rv = first_arg(ty).context("send() does not return Result<..>")?;
    let t = first_arg(&rv).context("send() does not return Result<ResponseValue<..>>")?;
    Ok(tokens(&t))
}

/// The methods of the generated `Client`'s own `impl` blocks that take `self`.
fn client_methods(file: &syn::File) -> impl Iterator<Item = &syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(imp) if imp.trait_.is_none() && tokens(&imp.self_ty) == "Client" => {
                Some(&imp.items)
            }
            _ => None,
        })
        .flatten()
        .filter_map(|it| match it {
            ImplItem::Fn(f) if f.sig.inputs.iter().any(|a| matches!(a, FnArg::Receiver(_))) => {
                Some(f)
            }
            _ => None,
        })
}

/// The generated `Client`'s operation methods: method name → builder type name.
fn client_fns(file: &syn::File) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for f in client_methods(file) {
        if let ReturnType::Type(_, t) = &f.sig.output {
            let s = tokens(t);
            if let Some(rest) = s.strip_prefix("builder :: ") {
                let name = rest.split_whitespace().next().unwrap_or_default();
                out.insert(f.sig.ident.to_string(), name.to_owned());
            }
        }
    }
    out
}

/// Whether progenitor wrote the builder interface (`mod builder`) rather than positional methods.
fn has_builders(file: &syn::File) -> bool {
    file.items
        .iter()
        .any(|i| matches!(i, Item::Mod(m) if m.ident == "builder"))
}

/// The positional interface: the generated `Client`'s `async fn`s, each read as the builder it
/// replaces (keyed by the type name the layer gives its request), and method name → that name.
fn positional_fns(file: &syn::File) -> Result<(HashMap<String, Builder>, HashMap<String, String>)> {
    let mut builders = HashMap::new();
    let mut names = HashMap::new();
    for f in client_methods(file).filter(|f| f.sig.asyncness.is_some()) {
        let fname = f.sig.ident.to_string();
        let mut b = Builder {
            setters: Vec::new(),
            ok: send_ok(&f.sig.output)
                .with_context(|| format!("reading the result type of {fname}"))?,
            call: Some(Vec::new()),
        };
        for arg in &f.sig.inputs {
            let FnArg::Typed(pt) = arg else { continue };
            let name = tokens(&pt.pat);
            let (optional, inner) = match option_inner(&pt.ty) {
                Some(inner) => (true, inner),
                None => (false, (*pt.ty).clone()),
            };
            let (pass, ty) = match &inner {
                Type::Reference(r) if tokens(&r.elem) == "str" => {
                    (Pass::Str, ":: std :: string :: String".to_owned())
                }
                Type::Reference(r) => (Pass::Ref, tokens(&r.elem)),
                other => (Pass::Value, tokens(other)),
            };
            if let Some(call) = b.call.as_mut() {
                call.push(name.clone());
            }
            b.setters.push(Setter {
                name,
                ty,
                pass,
                optional,
            });
        }
        let type_name = camel(&fname);
        names.insert(fname, type_name.clone());
        builders.insert(type_name, b);
    }
    Ok((builders, names))
}

/// `Option<T>` → `T`.
fn option_inner(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    if p.path.segments.last()?.ident != "Option" {
        return None;
    }
    first_arg(ty)
}

/// `X<T, ..>` → `T`.
fn first_arg(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let PathArguments::AngleBracketed(a) = &p.path.segments.last()?.arguments else {
        return None;
    };
    match a.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the spec.

/// progenitor's method name for an operation id (`listVendors`, `get-studyofferings`).
pub fn snake(id: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in id.chars() {
        if c == '-' || c == ' ' || c == '.' || c == '_' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        } else if c.is_uppercase() {
            if prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    let mut cur = v;
    for _ in 0..16 {
        match cur.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                cur = spec
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or(&Value::Null)
            }
            None => return cur,
        }
    }
    cur
}

fn operations(
    spec: &Value,
    builders: &HashMap<String, Builder>,
    raw_fns: &HashMap<String, String>,
) -> Result<Vec<Op>> {
    let mut ops = Vec::new();
    let paths = spec["paths"].as_object().context("the spec has no paths")?;
    for (path, item) in paths {
        let item_params = item["parameters"].as_array().cloned().unwrap_or_default();
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"]
                .as_str()
                .with_context(|| format!("{method} {path} has no operationId"))?;
            let raw_fn = snake(id);
            let type_name = raw_fns
                .get(&raw_fn)
                .with_context(|| format!("progenitor wrote no method `{raw_fn}` for {id}"))?
                .clone();
            let builder = builders
                .get(&type_name)
                .with_context(|| format!("progenitor wrote no builder {type_name}"))?;
            let mut params = Vec::new();
            for p in op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(&item_params)
            {
                let p = resolve(spec, p);
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                let location = p["in"].as_str().unwrap_or_default().to_owned();
                if location == "header" {
                    continue;
                }
                let s = snake(&name);
                let setter = builder
                    .setters
                    .iter()
                    .find(|x| x.name == s || x.name == format!("{s}_"))
                    .map(|x| x.name.clone())
                    .with_context(|| format!("{id}: no setter for parameter {name}"))?;
                params.push(Param {
                    schema: p["schema"].clone(),
                    name,
                    setter,
                    location: location.clone(),
                    required: p["required"].as_bool().unwrap_or(false) || location == "path",
                    description: p["description"].as_str().unwrap_or_default().to_owned(),
                });
            }
            // Path parameters in the order the path names them.
            params.sort_by_key(|p| path.find(&format!("{{{}}}", p.name)).unwrap_or(usize::MAX));
            let tag = op["tags"]
                .as_array()
                .and_then(|t| t.first())
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    path.split('/')
                        .find(|s| !s.is_empty())
                        .unwrap_or("root")
                        .to_owned()
                });
            ops.push(Op {
                id: id.to_owned(),
                method: method.to_owned(),
                path: path.clone(),
                tag,
                summary: op["summary"].as_str().unwrap_or_default().to_owned(),
                description: op["description"].as_str().unwrap_or_default().to_owned(),
                raw_fn,
                type_name,
                params,
                has_body: op.get("requestBody").is_some()
                    && builder.setters.iter().any(|s| s.name == "body"),
                builder: builder.clone(),
            });
        }
    }
    Ok(ops)
}

fn tag_docs(spec: &Value) -> HashMap<String, String> {
    spec["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t["name"].as_str()?.to_owned(),
                t["description"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Names.

fn is_param(seg: &str) -> bool {
    seg.starts_with('{')
}

/// Whether a path segment names the tag's own collection (`records` for `custom_records`).
fn is_collection(seg: &str, tag: &str) -> bool {
    let tag = tag.to_lowercase();
    seg == tag || tag.ends_with(&format!("_{seg}")) || tag.ends_with(&format!("-{seg}"))
}

fn singular(s: &str) -> String {
    s.strip_suffix('s').unwrap_or(s).to_owned()
}

/// A handler method name for every operation, from the shape of its path: `list`, `get`,
/// `create`, `update`, `delete`, or the action the path ends in (`cancel`, `approve`); where two
/// operations of one tag would share a name, the one under a parent gets `_for_<parent>`.
fn method_names(ops: &[Op]) -> Result<HashMap<String, String>> {
    let mut base: Vec<(String, &Op)> = Vec::new();
    for op in ops {
        let segs: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
        let last = segs.last().copied().unwrap_or("");
        let lists = vec_item(&op.builder.ok).is_some();
        let name = if is_param(last) {
            match op.method.as_str() {
                "get" => "get".to_owned(),
                "patch" | "put" => "update".to_owned(),
                "delete" => "delete".to_owned(),
                _ => "create".to_owned(),
            }
        } else {
            let own = is_collection(last, &op.tag) || !segs.iter().any(|s| is_param(s));
            let action = snake(last);
            match (op.method.as_str(), own) {
                ("get", true) if lists => "list".to_owned(),
                ("get", true) => "get".to_owned(),
                ("get", false) if lists => format!("list_{action}"),
                ("get", false) => format!("get_{action}"),
                ("post", true) if is_collection(last, &op.tag) => "create".to_owned(),
                ("delete", _) => format!("delete_{action}"),
                (_, _) => action,
            }
        };
        base.push((name, op));
    }
    let mut groups: BTreeMap<(String, String), Vec<&Op>> = BTreeMap::new();
    for (name, op) in &base {
        groups
            .entry((op.tag.clone(), name.clone()))
            .or_default()
            .push(op);
    }
    let mut out = HashMap::new();
    for ((tag, name), group) in groups {
        let params = |op: &Op| op.path.matches('{').count();
        let fewest = group.iter().map(|o| params(o)).min().unwrap_or(0);
        let keepers = group.iter().filter(|o| params(o) == fewest).count();
        for op in &group {
            let n = if group.len() == 1 || (params(op) == fewest && keepers == 1) {
                name.clone()
            } else {
                let segs: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
                let parent = segs
                    .windows(2)
                    .find(|w| is_param(w[1]))
                    .map(|w| singular(&snake(w[0])))
                    .with_context(|| format!("{tag}: cannot tell {} apart", op.id))?;
                format!("{name}_for_{parent}")
            };
            out.insert(op.id.clone(), n);
        }
    }
    let mut seen: HashMap<(String, String), &str> = HashMap::new();
    for op in ops {
        if let Some(other) = seen.insert((op.tag.clone(), out[&op.id].clone()), &op.id) {
            bail!(
                "{}: {} and {} would both be named `{}`",
                op.tag,
                other,
                op.id,
                out[&op.id]
            );
        }
    }
    Ok(out)
}

fn rust_ident(name: &str) -> String {
    match name {
        "type" | "ref" | "match" | "move" | "self" | "where" | "use" | "mod" | "fn" | "impl" => {
            format!("{name}_")
        }
        n => n.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// `:: std :: vec :: Vec < T >` → `T`.
fn vec_item(ty: &str) -> Option<&str> {
    ty.strip_prefix(":: std :: vec :: Vec <")
        .and_then(|s| s.strip_suffix('>'))
        .map(str::trim)
}

/// A doc string as a `#[doc = ".."]` attribute: lines trimmed so no text turns into an indented
/// code block, and unlabelled fences marked `text` so none becomes a doctest.
fn doc(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim().lines() {
        let mut l = line.trim().to_owned();
        if l == "```" && !out.matches("```").count().is_multiple_of(2) {
            // a closing fence
        } else if l == "```" {
            l = "```text".to_owned();
        }
        let _ = writeln!(out, "#[doc = {:?}]", format!(" {l}"));
    }
    out
}

fn op_doc(op: &Op) -> String {
    let mut text = String::new();
    if !op.summary.trim().is_empty() {
        let _ = writeln!(text, "{}\n", op.summary.trim().trim_end_matches('.'));
    }
    let _ = writeln!(
        text,
        "`{} {}` (operation `{}`).",
        op.method.to_uppercase(),
        op.path,
        op.id
    );
    if !op.description.trim().is_empty() && op.description.trim() != op.summary.trim() {
        let _ = writeln!(text, "\n{}", op.description.trim());
    }
    doc(&text)
}

/// The argument type of a positional parameter: `impl Into<T>`.
fn arg_ty(ty: &str) -> String {
    format!("impl Into<{ty}>")
}

fn setter_of<'a>(op: &'a Op, name: &str) -> Option<&'a Setter> {
    op.builder.setters.iter().find(|s| s.name == name)
}

/// Path (and required query) parameters, taken as arguments: `(ident, type)`.
fn positional(op: &Op, skip: &[&str]) -> Vec<(String, String, String)> {
    op.params
        .iter()
        .filter(|p| p.required && !skip.contains(&p.setter.as_str()))
        .filter_map(|p| {
            setter_of(op, &p.setter)
                .map(|s| (rust_ident(&snake(&p.name)), s.name.clone(), s.ty.clone()))
        })
        .collect()
}

/// Optional query parameters, as setters: `(param, setter)`.
fn optional<'a>(op: &'a Op, skip: &[&str]) -> Vec<(&'a Param, &'a Setter)> {
    op.params
        .iter()
        .filter(|p| !p.required && p.location == "query" && !skip.contains(&p.setter.as_str()))
        .filter_map(|p| setter_of(op, &p.setter).map(|s| (p, s)))
        .collect()
}

fn body_ty(op: &Op) -> Option<String> {
    op.has_body
        .then(|| setter_of(op, "body").map(|s| s.ty.clone()))
        .flatten()
}

fn setter_doc(p: &Param) -> String {
    let d = p.description.trim();
    if d.is_empty() {
        doc(&format!("The `{}` parameter.", p.name))
    } else {
        doc(&format!("`{}`: {d}", p.name))
    }
}

/// The statements that send `op` from `this`, an owned request or listing whose fields are
/// named after the setters in `fields` (`true`: required, kept as `T`; `false`: kept as
/// `Option<T>`), ending with `let r = …;`. `overrides` are the parameters a listing sets per
/// page: the setter, the builder statement, and the positional method's argument.
fn call(
    op: &Op,
    fields: &[(&Setter, bool)],
    overrides: &[(&str, String, String)],
) -> Result<String> {
    let raw = &op.raw_fn;
    let Some(order) = &op.builder.call else {
        let mut out = format!("#[allow(unused_mut)]\nlet mut b = this.client.raw().{raw}();\n");
        for (s, required) in fields {
            let n = &s.name;
            if *required {
                let _ = writeln!(out, "b = b.{n}(this.{n});");
            } else {
                let _ = writeln!(out, "if let Some(v) = this.{n} {{ b = b.{n}(v); }}");
            }
        }
        for (_, statement, _) in overrides {
            let _ = writeln!(out, "{statement}");
        }
        out.push_str("let r = b.send().await;\n");
        return Ok(out);
    };
    let mut args = Vec::new();
    for name in order {
        let setter = setter_of(op, name).context("an argument is a parameter")?;
        let arg = if let Some((_, _, arg)) = overrides.iter().find(|o| o.0 == name) {
            arg.clone()
        } else if let Some((_, required)) = fields.iter().find(|f| f.0.name == *name) {
            let value = match (setter.pass, required) {
                (Pass::Str | Pass::Ref, true) => format!("&this.{name}"),
                (Pass::Str, false) => format!("this.{name}.as_deref()"),
                (Pass::Ref, false) => format!("this.{name}.as_ref()"),
                (Pass::Value | Pass::Setter, _) => format!("this.{name}"),
            };
            match (setter.optional, required) {
                (true, true) => format!("Some({value})"),
                (false, false) => {
                    bail!("{}: `{name}` is optional here but not in the method", op.id)
                }
                _ => value,
            }
        } else if setter.optional {
            "None".to_owned()
        } else {
            bail!("{}: nothing to pass for the required `{name}`", op.id);
        };
        args.push(arg);
    }
    Ok(format!(
        "let r = this.client.raw().{raw}({}).await;\n",
        args.join(", ")
    ))
}

/// A request type for an operation that is not a listing.
fn write_request(out: &mut String, op: &Op) -> Result<()> {
    let name = &op.type_name;
    let ok = &op.builder.ok;
    let pos = positional(op, &[]);
    let opt = optional(op, &[]);
    let body = body_ty(op).and_then(|_| setter_of(op, "body"));
    let _ = write!(
        out,
        "/// The request of [`{name}::send`]: `{} {}`.\n///\n/// Send it with `.send().await` or `.await`; \
         set the optional parameters first.\n\
         #[derive(Debug)]\n#[must_use = \"a request does nothing until it is sent or awaited\"]\n\
         pub struct {name}<'a> {{\n    client: &'a Client,\n",
        op.method.to_uppercase(),
        op.path
    );
    let mut fields: Vec<(&Setter, bool)> = Vec::new();
    let mut args: Vec<String> = vec!["client: &'a Client".into()];
    let mut init = vec!["client".to_owned()];
    for (ident, setter, ty) in &pos {
        let _ = writeln!(out, "    {setter}: {ty},");
        args.push(format!("{ident}: {ty}"));
        init.push(if ident == setter {
            ident.clone()
        } else {
            format!("{setter}: {ident}")
        });
        fields.push((setter_of(op, setter).context("a setter")?, true));
    }
    for (_, s) in &opt {
        let _ = writeln!(out, "    {}: Option<{}>,", s.name, s.ty);
        init.push(format!("{}: None", s.name));
        fields.push((s, false));
    }
    if let Some(b) = body {
        let _ = writeln!(out, "    body: {},", b.ty);
        args.push(format!("body: &{}", b.ty));
        init.push("body: body.clone()".into());
        fields.push((b, true));
    }
    let _ = write!(
        out,
        "}}\n\nimpl<'a> {name}<'a> {{\n    pub(crate) fn new({}) -> Self {{\n        {name} {{ {} }}\n    }}\n\n",
        args.join(", "),
        init.join(", ")
    );
    for (p, s) in &opt {
        let _ = write!(
            out,
            "{}    pub fn {}(mut self, value: {}) -> Self {{\n        self.{} = Some(value.into());\n        self\n    }}\n\n",
            setter_doc(p),
            s.name,
            arg_ty(&s.ty),
            s.name
        );
    }
    let send = call(op, &fields, &[])?;
    let _ = write!(
        out,
        "{}    pub async fn send(self) -> Result<{ok}> {{\n        let this = self;\n        {send}        this.client.value({:?}, r).await\n    }}\n}}\n\n\
         impl<'a> IntoFuture for {name}<'a> {{\n    type Output = Result<{ok}>;\n    type IntoFuture = BoxFuture<'a, Result<{ok}>>;\n\n    \
         fn into_future(self) -> Self::IntoFuture {{\n        Box::pin(self.send())\n    }}\n}}\n\n",
        op_doc(op),
        op.id
    );
    Ok(())
}

/// A listing: typed filters, page size, `pages()` and `stream()`. Returns whether it pages.
fn write_listing(out: &mut String, op: &Op, config: &LayerConfig) -> Result<bool> {
    let name = &op.type_name;
    let item = vec_item(&op.builder.ok).context("a listing answers an array")?;
    let has = |n: &str| op.builder.setters.iter().any(|s| s.name == n);
    let (paged, skip): (Option<Paging>, Vec<&str>) = match config.paging {
        Paging::Cursor { cursor, page_size } if has(cursor) && has(page_size) => {
            (Some(config.paging), vec![cursor, page_size])
        }
        Paging::Offset { offset, limit } if has(offset) && has(limit) => {
            (Some(config.paging), vec![offset, limit])
        }
        _ => (None, vec![]),
    };
    let pos = positional(op, &skip);
    let opt = optional(op, &skip);
    let _ = writeln!(
        out,
        "/// The listing of `{} {}`: typed filters, then `.stream()` for the items or `.pages()` for \
         the pages.",
        op.method.to_uppercase(),
        op.path
    );
    match paged {
        Some(Paging::Cursor { .. }) => out.push_str(
            "///\n/// Pages follow the cursor in each answer's `Link` header until there is none; \
             set the page size with `.page_size(n)`.\n",
        ),
        Some(Paging::Offset { .. }) => out.push_str(
            "///\n/// Pages are fetched by offset until a short page; set the page size with \
             `.page_size(n)`.\n",
        ),
        None => out.push_str("///\n/// The API answers the whole list in one response.\n"),
    }
    out.push_str(&op_doc(op));
    let _ = write!(
        out,
        "#[derive(Debug, Clone)]\n#[must_use = \"a listing does nothing until it is streamed\"]\n\
         pub struct {name} {{\n    client: Client,\n"
    );
    for (_, setter, ty) in &pos {
        let _ = writeln!(out, "    {setter}: {ty},");
    }
    for (_, s) in &opt {
        let _ = writeln!(out, "    {}: Option<{}>,", s.name, s.ty);
    }
    if paged.is_some() {
        out.push_str("    paging_size: Option<u32>,\n");
    }
    if matches!(paged, Some(Paging::Cursor { .. })) {
        out.push_str("    paging_start: Option<String>,\n");
    }
    out.push_str("}\n\n");
    // new
    let mut args = vec!["client: Client".to_owned()];
    let mut fields = vec!["client".to_owned()];
    for (ident, setter, ty) in &pos {
        args.push(format!("{ident}: {ty}"));
        fields.push(if ident == setter {
            ident.clone()
        } else {
            format!("{setter}: {ident}")
        });
    }
    for (_, s) in &opt {
        fields.push(format!("{}: None", s.name));
    }
    if paged.is_some() {
        fields.push("paging_size: None".into());
    }
    if matches!(paged, Some(Paging::Cursor { .. })) {
        fields.push("paging_start: None".into());
    }
    let _ = write!(
        out,
        "impl {name} {{\n    pub(crate) fn new({}) -> Self {{\n        {name} {{ {} }}\n    }}\n\n",
        args.join(", "),
        fields.join(", ")
    );
    for (p, s) in &opt {
        let _ = write!(
            out,
            "{}    pub fn {}(mut self, value: {}) -> Self {{\n        self.{} = Some(value.into());\n        self\n    }}\n\n",
            setter_doc(p),
            s.name,
            arg_ty(&s.ty),
            s.name
        );
    }
    // The request of one page, from `this` (an owned clone of the listing).
    let mut kept: Vec<(&Setter, bool)> = Vec::new();
    for (_, setter, _) in &pos {
        kept.push((setter_of(op, setter).context("a setter")?, true));
    }
    for (_, s) in &opt {
        kept.push((s, false));
    }
    let id = &op.id;
    match paged {
        Some(Paging::Cursor { cursor, page_size }) => {
            let _ = write!(
                out,
                "    /// Items per page (checked when the listing starts); without it, the crate's \
                 default page size.\n    pub fn page_size(mut self, n: u32) -> Self {{\n        self.paging_size = Some(n);\n        self\n    }}\n\n\
                 /// The API's name for [`Self::page_size`].\n    pub fn {page_size}(self, n: u32) -> Self {{\n        self.page_size(n)\n    }}\n\n\
                 /// Starts at this cursor (from a page's `next`) instead of the first page, to resume a listing.\n    \
                 pub fn start_after_cursor(mut self, cursor: impl Into<String>) -> Self {{\n        self.paging_start = Some(cursor.into());\n        self\n    }}\n\n\
                 /// The pages, each with its items and the cursor of the next.\n    pub fn pages(self) -> PageStream<{item}, String> {{\n        \
                 let size = match {psf}(self.paging_size) {{\n            Ok(n) => n,\n            Err(e) => return paginate::failed(e),\n        }};\n        \
                 let start = self.paging_start.clone();\n        paginate::pages_from(start, move |cursor: Option<String>| {{\n            let this = self.clone();\n            async move {{\n                \
                 {send}                this.client.cursor_page({id:?}, r).await\n            }}\n        }})\n    }}\n\n",
                psf = config.page_size_fn,
                send = call(
                    op,
                    &kept,
                    &[
                        (
                            page_size,
                            format!("b = b.{page_size}(std::num::NonZeroU64::from(size));"),
                            "Some(std::num::NonZeroU64::from(size))".to_owned(),
                        ),
                        (
                            cursor,
                            format!("if let Some(c) = cursor {{ b = b.{cursor}(c); }}"),
                            "cursor.as_deref()".to_owned(),
                        ),
                    ],
                )?,
            );
        }
        Some(Paging::Offset { offset, limit }) => {
            let _ = write!(
                out,
                "    /// Items per page (checked when the listing starts); without it, the crate's \
                 default page size.\n    pub fn page_size(mut self, n: u32) -> Self {{\n        self.paging_size = Some(n);\n        self\n    }}\n\n\
                 /// The API's name for [`Self::page_size`].\n    pub fn {limit}(self, n: u32) -> Self {{\n        self.page_size(n)\n    }}\n\n\
                 /// The pages, each with its items and the offset of the next.\n    pub fn pages(self) -> PageStream<{item}, u64> {{\n        \
                 let size = match {psf}(self.paging_size) {{\n            Ok(n) => n,\n            Err(e) => return paginate::failed(e),\n        }};\n        \
                 paginate::offset_pages(0, u64::from(size), move |offset, limit| {{\n            let this = self.clone();\n            async move {{\n                \
                 {send}                this.client.value({id:?}, r).await\n            }}\n        }})\n    }}\n\n",
                psf = config.page_size_fn,
                send = call(
                    op,
                    &kept,
                    &[
                        (
                            offset,
                            format!("b = b.{offset}(crate::window(offset)?);"),
                            "Some(crate::window(offset)?)".to_owned(),
                        ),
                        (
                            limit,
                            format!("b = b.{limit}(crate::window(limit)?);"),
                            "Some(crate::window(limit)?)".to_owned(),
                        ),
                    ],
                )?,
            );
        }
        None => {
            let build = call(op, &kept, &[])?;
            let _ = write!(
                out,
                "    /// The whole list, as one page.\n    pub fn pages(self) -> PageStream<{item}, String> {{\n        \
                 paginate::pages(move |_: Option<String>| {{\n            let this = self.clone();\n            async move {{\n                \
                 {build}                \
                 Ok(paginate::Page::new(this.client.value({id:?}, r).await?, None))\n            }}\n        }})\n    }}\n\n\
                 /// The whole list in one call.\n    pub async fn send(self) -> Result<Vec<{item}>> {{\n        let this = self;\n        \
                 {build}        this.client.value({id:?}, r).await\n    }}\n\n",
            );
        }
    }
    let _ = write!(
        out,
        "    /// The items, lazily, page after page.\n    pub fn stream(self) -> ItemStream<{item}> {{\n        paginate::items(self.pages())\n    }}\n}}\n\n"
    );
    if paged.is_none() {
        // One response holds the whole list: `.await` gives it, as `.send().await` does.
        let _ = write!(
            out,
            "impl std::future::IntoFuture for {name} {{\n    type Output = Result<Vec<{item}>>;\n    \
             type IntoFuture = futures::future::BoxFuture<'static, Result<Vec<{item}>>>;\n\n    \
             fn into_future(self) -> Self::IntoFuture {{\n        Box::pin(self.send())\n    }}\n}}\n\n"
        );
    }
    Ok(paged.is_some())
}

/// A resource handler for one tag, and the client's method that returns it.
fn write_handler(out: &mut String, tag: &str, tag_doc: Option<&String>, ops: &[(&Op, String)]) {
    let field = snake(tag);
    let ty = camel(&field);
    let mut text = format!("The `{tag}` operations.");
    if let Some(d) = tag_doc.filter(|d| !d.trim().is_empty()) {
        let _ = write!(text, "\n\n{}", d.trim());
    }
    out.push_str(&doc(&text));
    let _ = write!(
        out,
        "#[derive(Debug, Clone, Copy)]\npub struct {ty}<'a> {{\n    client: &'a Client,\n}}\n\nimpl<'a> {ty}<'a> {{\n"
    );
    let mut sorted: Vec<&(&Op, String)> = ops.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    for (op, method) in sorted {
        let listing = op.method == "get" && vec_item(&op.builder.ok).is_some();
        let pos = positional(op, &[]);
        let mut args = vec!["&self".to_owned()];
        let mut pass = Vec::new();
        for (ident, _, ty) in &pos {
            args.push(format!("{ident}: {}", arg_ty(ty)));
            pass.push(format!("{ident}.into()"));
        }
        if !listing && let Some(bt) = body_ty(op) {
            args.push(format!("body: &{bt}"));
            pass.push("body".into());
        }
        let name = &op.type_name;
        let summary = op.summary.trim().trim_end_matches('.');
        let mut d = String::new();
        if !summary.is_empty() {
            let _ = writeln!(d, "{summary}.\n");
        }
        let _ = writeln!(
            d,
            "`{} {}`: returns [`{name}`].",
            op.method.to_uppercase(),
            op.path
        );
        out.push_str(&doc(&d));
        if listing {
            let _ = write!(
                out,
                "    pub fn {method}({}) -> {name} {{\n        {name}::new(self.client.clone(){})\n    }}\n\n",
                args.join(", "),
                pass.iter().map(|p| format!(", {p}")).collect::<String>()
            );
        } else {
            let _ = write!(
                out,
                "    pub fn {method}({}) -> {name}<'a> {{\n        {name}::new(self.client{})\n    }}\n\n",
                args.join(", "),
                pass.iter().map(|p| format!(", {p}")).collect::<String>()
            );
        }
    }
    out.push_str("}\n\n");
    let _ = write!(
        out,
        "impl Client {{\n    /// The `{tag}` operations: [`{ty}`].\n    pub fn {field}(&self) -> {ty}<'_> {{\n        {ty} {{ client: self }}\n    }}\n}}\n\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_matches_progenitor() {
        assert_eq!(snake("listVendors"), "list_vendors");
        assert_eq!(
            snake("get-studyofferings-for-school"),
            "get_studyofferings_for_school"
        );
        assert_eq!(snake("get_planned_courses"), "get_planned_courses");
        assert_eq!(
            snake("postClaimSetsResourceClaimActionsByClaimSetId"),
            "post_claim_sets_resource_claim_actions_by_claim_set_id"
        );
    }
}
