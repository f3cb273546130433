//! A resource handler per tag of the spec (`client.accounts()`), with a method per operation
//! named after the path's shape; each returns the operation's request or listing.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::quote;

use super::emit::{doc, ident};
use super::model::{Op, body_ty, positional};
use super::naming::{camel, snake};
use super::types::vec_item;

/// A resource handler for one tag, and the client's method that returns it.
pub(super) fn handler(
    tag: &str,
    tag_doc: Option<&String>,
    made_elsewhere: Option<&str>,
    ops: &[(&Op, String)],
) -> Result<TokenStream> {
    let field = snake(tag);
    let handler = ident(&camel(&field));
    let field = ident(&field);
    let mut text = format!("The `{tag}` operations.");
    if let Some(d) = tag_doc.filter(|d| !d.trim().is_empty()) {
        text.push_str("\n\n");
        text.push_str(d.trim());
    }
    if let Some(d) = made_elsewhere {
        text.push_str("\n\n");
        text.push_str(d);
    }
    let docs = doc(&text);
    let mut sorted: Vec<&(&Op, String)> = ops.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    let mut methods = Vec::new();
    for (op, method) in sorted {
        let listing = op.method == "get" && vec_item(&op.builder.ok).is_some();
        let mut params = Vec::new();
        let mut pass = Vec::new();
        for (arg, _, t) in positional(op, &[]) {
            let arg = ident(&arg);
            params.push(quote!(#arg: impl Into<#t>));
            pass.push(quote!(#arg.into()));
        }
        let writes = !listing && body_ty(op).is_some();
        let name = ident(&op.type_name);
        let summary = op.summary.trim().trim_end_matches('.');
        let mut d = String::new();
        if !summary.is_empty() {
            d.push_str(&format!("{summary}.\n\n"));
        }
        d.push_str(&format!(
            "`{} {}`: returns [`{}`].",
            op.method.to_uppercase(),
            op.path,
            op.type_name
        ));
        if writes {
            d.push_str(" Set the body's fields on it (`.name(..)`, …), then `.await` it.");
        }
        let method_docs = doc(&d);
        let method = ident(method);
        methods.push(if listing {
            quote! {
                #method_docs
                pub fn #method(&self, #(#params),*) -> #name {
                    #name::new(self.client.clone(), #(#pass),*)
                }
            }
        } else {
            quote! {
                #method_docs
                pub fn #method(&self, #(#params),*) -> #name<'a> {
                    #name::new(self.client, #(#pass),*)
                }
            }
        });
    }
    let getter_doc = format!(" The `{tag}` operations: [`{handler}`].");
    Ok(quote! {
        #docs
        #[derive(Debug, Clone, Copy)]
        pub struct #handler<'a> {
            client: &'a Client,
        }

        impl<'a> #handler<'a> {
            #(#methods)*
        }

        impl Client {
            #[doc = #getter_doc]
            pub fn #field(&self) -> #handler<'_> {
                #handler { client: self }
            }
        }
    })
}
