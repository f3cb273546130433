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

use anyhow::{Context, Result, bail};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

mod body_builders;
mod cli_calls;
mod cli_table;
mod config;
mod emit;
mod enum_conversions;
mod every_operation;
mod every_operation_file;
mod handlers;
mod model;
mod naming;
mod progenitor_ast;
mod types;

pub use config::{LayerConfig, Paging};

use emit::{listing, request};
use every_operation_file::every_operation_test;
use handlers::handler;
use model::{Op, method_names, operations, tag_docs};
use progenitor_ast::{builders, client_fns, has_builders, positional_fns};
use types::vec_item;

/// What the generation produced, for the log line.
pub struct Stats {
    pub operations: usize,
    pub typed: usize,
    pub listings: usize,
    pub paginated: usize,
}

/// What one run writes: the layer, and the every-operation test and CLI table if configured.
pub struct Output {
    pub layer: String,
    pub test: Option<String>,
    pub cli: Option<String>,
    pub stats: Stats,
}

/// Writes the layer for `spec` over the generated client `file`.
pub fn generate(
    spec: &Value,
    spec_file: &str,
    file: &syn::File,
    config: &LayerConfig,
) -> Result<Output> {
    let (builders, raw_fns) = if has_builders(file) {
        (builders(file)?, client_fns(file))
    } else {
        positional_fns(file)?
    };
    let ops = operations(spec, &builders, &raw_fns)?;
    let tag_docs = tag_docs(spec);
    let mut items: Vec<TokenStream> = Vec::new();
    let requests = config.handlers || config.requests;
    if requests {
        items.push(quote! {
            use std::future::IntoFuture;

            use futures::future::BoxFuture;
        });
    }
    items.push(quote! {
        use edu_common::Result;
        use edu_common::paginate::{self, ItemStream, PageStream};

        use crate::client::Client;
        use crate::generated::types;
    });
    let mut stats = Stats {
        operations: ops.len(),
        typed: 0,
        listings: 0,
        paginated: 0,
    };
    let mut by_tag: BTreeMap<String, Vec<(&Op, String)>> = BTreeMap::new();
    let index = body_builders::TypesIndex::new(file);
    let mut nested = std::collections::BTreeSet::new();
    let names = if config.handlers {
        method_names(&ops)?
    } else {
        HashMap::new()
    };
    for op in &ops {
        let is_listing = op.method == "get" && vec_item(&op.builder.ok).is_some();
        if is_listing {
            let (code, paginated) = listing(op, config)?;
            items.push(code);
            stats.listings += 1;
            stats.paginated += usize::from(paginated);
            stats.typed += 1;
        } else if requests {
            items.push(request(op, &index, &mut nested)?);
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
        let made = config
            .made_elsewhere
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, text)| *text);
        items.push(handler(tag, tag_docs.get(tag), made, ops)?);
    }
    if requests {
        items.push(body_builders::builders_module(&index, nested));
        // The item types of multi-value query parameters (`Vec<types::X>`).
        let many: std::collections::BTreeSet<String> = ops
            .iter()
            .flat_map(|op| {
                op.params
                    .iter()
                    .filter(|p| p.location == "query")
                    .filter_map(|p| model::setter_of(op, &p.setter))
            })
            .filter_map(|s| vec_item(&s.ty))
            .filter(types::is_model)
            .filter_map(|t| types::type_name(&t))
            .collect();
        items.push(enum_conversions::conversions(file, &many));
    }
    let file: syn::File =
        syn::parse2(quote!(#(#items)*)).context("the generated layer does not parse")?;
    let test = match config.test {
        Some((_, krate)) if config.handlers => {
            let paging: Vec<&str> = match config.paging {
                Paging::Cursor { cursor, page_size } => vec![cursor, page_size],
                Paging::Offset { offset, limit } => vec![offset, limit],
            };
            let file = every_operation_test(spec, spec_file, &ops, &names, krate, &paging);
            Some(rustfmt(&prettyplease::unparse(&file))?)
        }
        _ => None,
    };
    let cli = match config.cli_table {
        Some(_) => {
            // The typed layer's method names where it has handlers; the same rules otherwise.
            let names = if names.is_empty() {
                method_names(&ops).unwrap_or_default()
            } else {
                names
            };
            let mut tokens = cli_table::cli_table(spec, &ops, &names, config);
            tokens.extend(cli_calls::cli_calls(&ops, config)?);
            let file: syn::File =
                syn::parse2(tokens).context("the generated CLI table does not parse")?;
            Some(rustfmt(&format!(
                "// @generated by `cargo xtask generate` from the kept spec: do not edit by hand.\n\n{}",
                prettyplease::unparse(&file)
            ))?)
        }
        None => None,
    };
    Ok(Output {
        layer: prettyplease::unparse(&file),
        test,
        cli,
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
