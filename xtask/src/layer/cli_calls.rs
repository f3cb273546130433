//! The `edu` command line's calls: for every operation, the arm that runs it through the typed
//! layer's own code, from the arguments of its command. A listing is the layer's listing (its
//! filters typed, its paging, its resume position); any other operation is the layer's request
//! (its parameters typed, its body checked against the body's type), sent as built.

use anyhow::{Context, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::config::{LayerConfig, Paging};
use super::model::{Op, optional, positional};
use super::types::vec_item;

/// `pub async fn call(client, op, args)`: one match arm per operation.
pub(super) fn cli_calls(ops: &[Op], config: &LayerConfig) -> Result<TokenStream> {
    let krate = format_ident!("{}", config.krate);
    let mut arms = Vec::new();
    for op in ops {
        arms.push(arm(op, config).with_context(|| format!("the CLI call of {}", op.id))?);
    }
    Ok(quote! {
        /// Runs the operation `op` of this API with the command's arguments, through the typed
        /// layer (`#krate::operations`).
        pub async fn call(
            client: &#krate::Client,
            op: &Operation,
            args: &Args<'_>,
        ) -> edu_common::Result<Answer> {
            #[allow(unused_imports)]
            use #krate::types;
            match op.id {
                #(#arms)*
                other => Err(edu_common::Error::Config(format!("`{other}` is not an operation of this API"))),
            }
        }
    })
}

/// How a listing of `op` pages, as the typed layer generates it.
fn paging(op: &Op, config: &LayerConfig) -> Option<Paging> {
    let has = |n: &str| op.builder.setters.iter().any(|s| s.name == n);
    match config.paging {
        Paging::Cursor { cursor, page_size } if has(cursor) && has(page_size) => {
            Some(config.paging)
        }
        Paging::Offset { offset, limit } if has(offset) && has(limit) => Some(config.paging),
        _ => None,
    }
}

fn arm(op: &Op, config: &LayerConfig) -> Result<TokenStream> {
    let krate = format_ident!("{}", config.krate);
    let ty = format_ident!("{}", op.type_name);
    let id = &op.id;
    let listing = op.method == "get" && vec_item(&op.builder.ok).is_some();
    let paged = if listing { paging(op, config) } else { None };
    let skip: Vec<&str> = match paged {
        Some(Paging::Cursor { cursor, page_size }) => vec![cursor, page_size],
        Some(Paging::Offset { offset, limit }) => vec![offset, limit],
        None => vec![],
    };
    let wire = |setter: &str| -> Result<String> {
        op.params
            .iter()
            .find(|p| p.setter == setter)
            .map(|p| p.name.clone())
            .with_context(|| format!("no parameter for `{setter}`"))
    };
    let mut required = Vec::new();
    for (_, setter, t) in positional(op, &skip) {
        let name = wire(&setter)?;
        required.push(quote!(args.required::<#t>(#name)?));
    }
    let mut optional_sets = Vec::new();
    for (p, s) in optional(op, &skip) {
        let (name, setter) = (&p.name, format_ident!("{}", s.name));
        let read = match vec_item(&s.ty) {
            Some(item) => quote!(args.many::<#item>(#name)?),
            None => {
                let t = &s.ty;
                quote!(args.one::<#t>(#name)?)
            }
        };
        optional_sets.push(quote! {
            if let Some(v) = #read {
                r = r.#setter(v);
            }
        });
    }
    let body = if op.has_body && !listing {
        quote! {
            if let Some(fields) = args.body()? {
                r = r.body_json(fields);
            }
        }
    } else {
        quote!()
    };
    let made = if listing {
        quote!(#krate::operations::#ty::new(client.clone(), #(#required),*))
    } else {
        quote!(#krate::operations::#ty::new(client, #(#required),*))
    };
    let finish = match paged {
        Some(Paging::Cursor { .. }) => quote! {
            if let Some(n) = args.page_size() {
                r = r.page_size(n);
            }
            if let Some(cursor) = args.resume() {
                r = r.start_after_cursor(cursor);
            }
            Ok(pages(r.pages(), |c: String| c))
        },
        Some(Paging::Offset { .. }) => quote! {
            if let Some(n) = args.page_size() {
                r = r.page_size(n);
            }
            if let Some(offset) = args.resume_offset()? {
                r = r.start_at_offset(offset);
            }
            Ok(pages(r.pages(), |o: u64| o.to_string()))
        },
        None if listing => quote!(Ok(Answer::One(json(&r.send().await?)?))),
        None => quote!(send(#id, r.into_request()?).await),
    };
    Ok(quote! {
        #id => {
            #[allow(unused_mut)]
            let mut r = #made;
            #(#optional_sets)*
            #body
            #finish
        }
    })
}
