//! Writing the layer as tokens: request types, listings and resource handlers.

use anyhow::{Context, Result, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Expr, Ident, Type};

use std::collections::BTreeSet;

use super::body_builders::{self, TypesIndex};
use super::config::{LayerConfig, Paging};
use super::model::{Op, Param, Setter, body_ty, optional, positional, setter_of};
use super::types::vec_item;

pub(super) fn ident(name: &str) -> Ident {
    format_ident!("{}", name)
}

/// A doc string as `#[doc = ".."]` attributes: lines trimmed so no text turns into an indented
/// code block, and unlabelled fences marked `text` so none becomes a doctest.
pub(super) fn doc(text: &str) -> TokenStream {
    let mut fences = 0usize;
    let lines = text.trim().lines().map(|line| {
        let mut l = line.trim().to_owned();
        if l == "```" {
            if fences.is_multiple_of(2) {
                l = "```text".to_owned();
            }
            fences += 1;
        } else if l.starts_with("```") {
            fences += 1;
        }
        format!(" {l}")
    });
    let lines: Vec<String> = lines.collect();
    quote!(#(#[doc = #lines])*)
}

fn op_doc(op: &Op) -> TokenStream {
    let mut text = String::new();
    if !op.summary.trim().is_empty() {
        text.push_str(op.summary.trim().trim_end_matches('.'));
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "`{} {}` (operation `{}`).\n",
        op.method.to_uppercase(),
        op.path,
        op.id
    ));
    if !op.description.trim().is_empty() && op.description.trim() != op.summary.trim() {
        text.push('\n');
        text.push_str(op.description.trim());
        text.push('\n');
    }
    doc(&text)
}

fn setter_doc(p: &Param) -> TokenStream {
    let d = p.description.trim();
    if d.is_empty() {
        doc(&format!("The `{}` parameter.", p.name))
    } else {
        doc(&format!("`{}`: {d}", p.name))
    }
}

/// One optional parameter's setter: `pub fn name(mut self, value: impl Into<T>) -> Self`.
fn setter_fn(p: &Param, s: &Setter) -> Result<TokenStream> {
    let docs = setter_doc(p);
    let name = ident(&s.name);
    let t = &s.ty;
    Ok(quote! {
        #docs
        pub fn #name(mut self, value: impl Into<#t>) -> Self {
            self.#name = Some(value.into());
            self
        }
    })
}

/// The setters of the optional parameters.
fn setters(opt: &[(&Param, &Setter)]) -> Result<Vec<TokenStream>> {
    opt.iter().map(|(p, s)| setter_fn(p, s)).collect()
}

/// The parameters a request sends from its fields: the required ones as they are, the optional
/// ones when set.
fn sent_fields<'o>(
    op: &'o Op,
    pos: &[(String, String, Type)],
    opt: &[(&'o Param, &'o Setter)],
) -> Result<Vec<(&'o Setter, bool)>> {
    let mut fields = Vec::new();
    for (_, setter, _) in pos {
        fields.push((setter_of(op, setter).context("a setter")?, true));
    }
    fields.extend(opt.iter().map(|(_, s)| (*s, false)));
    Ok(fields)
}

/// A parameter a listing sets per page (or a request's body): its setter and the value sent.
struct Override {
    setter: &'static str,
    argument: Expr,
}

/// The statements that send `op` from `this`, an owned request or listing whose fields are
/// named after the setters in `fields` (`true`: required, kept as `T`; `false`: kept as
/// `Option<T>`), ending with `let r = …;`: the call's future, not yet awaited.
fn call(op: &Op, fields: &[(&Setter, bool)], overrides: &[Override]) -> Result<TokenStream> {
    let checks = path_checks(op, fields);
    let sent = send_call(op, fields, overrides)?;
    Ok(quote!(#(#checks)* #sent))
}

/// The integer types (a path parameter of one of them cannot be a dot segment).
const NUMBERS: [&str; 8] = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"];

/// A check for each text path parameter: an empty, `.` or `..` value would change which
/// endpoint is called (the URL parser drops or climbs a dot segment, however encoded), so it is
/// refused before anything is sent.
fn path_checks(op: &Op, fields: &[(&Setter, bool)]) -> Vec<TokenStream> {
    op.params
        .iter()
        .filter(|p| p.location == "path")
        .filter_map(|p| {
            let (setter, required) = fields.iter().find(|(s, _)| s.name == p.setter)?;
            let ty = &setter.ty;
            let text = quote!(#ty).to_string().replace(' ', "");
            let (n, name) = (ident(&setter.name), &p.name);
            if !*required || NUMBERS.iter().any(|t| text.ends_with(t)) || text.ends_with("Uuid") {
                None
            } else if text.ends_with("String") {
                Some(quote!(edu_common::transport::path_segment(#name, &this.#n)?;))
            } else {
                // An enum whose unknown values are kept as text (`Other(String)`) is text too.
                Some(quote!(edu_common::transport::path_segment(#name, &this.#n.to_string())?;))
            }
        })
        .collect()
}

/// The call itself (see [`call`]): the request built on the client's transport, with every
/// parameter where the spec puts it (path segments encoded, query values as the OpenAPI default
/// writes them), not yet sent.
fn send_call(op: &Op, fields: &[(&Setter, bool)], overrides: &[Override]) -> Result<TokenStream> {
    let value_of = |setter: &str| -> Option<Expr> {
        if let Some(o) = overrides.iter().find(|o| o.setter == setter) {
            let arg = &o.argument;
            return Some(syn::parse_quote!(&(#arg)));
        }
        fields.iter().find(|f| f.0.name == setter).map(|(s, _)| {
            let n = ident(&s.name);
            syn::parse_quote!(&this.#n)
        })
    };
    // The path: each `{name}` an encoded segment, in the order the path names them.
    let mut template = op.path.clone();
    let mut segments: Vec<TokenStream> = Vec::new();
    let mut path_params: Vec<&super::model::Param> =
        op.params.iter().filter(|p| p.location == "path").collect();
    path_params.sort_by_key(|p| op.path.find(&format!("{{{}}}", p.name)));
    for p in path_params {
        template = template.replacen(&format!("{{{}}}", p.name), "{}", 1);
        let n = ident(&p.setter);
        if !fields.iter().any(|f| f.0.name == p.setter) {
            bail!("{}: the path parameter `{}` is not kept", op.id, p.name);
        }
        segments.push(quote!(edu_common::transport::encode_segment(&this.#n.to_string())));
    }
    let path = if segments.is_empty() {
        quote!(#template)
    } else {
        quote!(&format!(#template, #(#segments),*))
    };
    let method = ident(&op.method.to_uppercase());
    let id = &op.id;
    let mut query = Vec::new();
    for p in op.params.iter().filter(|p| p.location == "query") {
        let value = value_of(&p.setter)
            .with_context(|| format!("{}: the query parameter `{}` is not kept", op.id, p.name))?;
        let name = &p.name;
        query.push(quote!(.query_value(#name, #value)));
    }
    let body = if op.has_body {
        let value = value_of("body").with_context(|| format!("{}: no body to send", op.id))?;
        if op.form_body {
            quote!(.form(#value))
        } else {
            quote!(.json(#value))
        }
    } else {
        quote!()
    };
    Ok(quote! {
        let r = this
            .client
            .transport()
            .request(edu_common::reqwest::Method::#method, #path)
            .operation(#id)
            #(#query)*
            #body;
    })
}

/// How a request's answer becomes its value: nothing for `()`, else the decoded JSON.
fn finish(op: &Op) -> TokenStream {
    let ok = &op.builder.ok;
    if quote!(#ok).to_string().replace(' ', "") == "()" {
        quote!(r.send_empty().await)
    } else {
        quote!(r.send_json().await)
    }
}

/// The fields a request or listing keeps, and how its `new` takes and stores them.
#[derive(Default)]
struct Kept {
    fields: Vec<TokenStream>,
    args: Vec<TokenStream>,
    init: Vec<TokenStream>,
}

impl Kept {
    /// The required parameters, taken by `new` and kept as they are.
    fn required(&mut self, pos: &[(String, String, Type)]) -> Result<()> {
        for (arg, setter, t) in pos {
            let (arg, setter) = (ident(arg), ident(setter));
            self.fields.push(quote!(#setter: #t));
            self.args.push(quote!(#arg: #t));
            self.init.push(if arg == setter {
                quote!(#arg)
            } else {
                quote!(#setter: #arg)
            });
        }
        Ok(())
    }

    /// The optional parameters, kept as `Option`s that start empty.
    fn optional(&mut self, opt: &[(&Param, &Setter)]) -> Result<()> {
        for (_, s) in opt {
            let (n, t) = (ident(&s.name), &s.ty);
            self.fields.push(quote!(#n: Option<#t>));
            self.init.push(quote!(#n: None));
        }
        Ok(())
    }
}

/// A request type for an operation that is not a listing.
pub(super) fn request(
    op: &Op,
    index: &TypesIndex,
    nested: &mut BTreeSet<String>,
) -> Result<TokenStream> {
    let name = ident(&op.type_name);
    let ok = &op.builder.ok;
    let pos = positional(op, &[]);
    let opt = optional(op, &[]);
    let body = body_ty(op).and_then(|_| setter_of(op, "body"));
    let head = format!(
        " The request of [`{}::send`]: `{} {}`.",
        op.type_name,
        op.method.to_uppercase(),
        op.path
    );
    let mut kept = Kept::default();
    kept.required(&pos)?;
    kept.optional(&opt)?;
    let mut fields = sent_fields(op, &pos, &opt)?;
    let mut setters = setters(&opt)?;
    let mut overrides = Vec::new();
    let mut prelude = TokenStream::new();
    if let Some(b) = body {
        // The body is written field by field (see `body_builders`) and made when sent.
        let taken: Vec<String> = opt
            .iter()
            .map(|(_, s)| s.name.clone())
            .chain(["send", "new", "body", "body_json", "into_request"].map(String::from))
            .collect();
        let written = body_builders::body_request(op, &b.ty, index, &taken, nested);
        kept.fields.push(quote!(body: edu_common::fields::Fields));
        kept.init
            .push(quote!(body: edu_common::fields::Fields::default()));
        setters.extend(written.setters);
        prelude = written.prelude;
        overrides.push(Override {
            setter: "body",
            argument: syn::parse_quote!(&body),
        });
        fields.push((b, true));
    }
    let Kept {
        fields: kept_fields,
        args,
        init,
    } = kept;
    let send = call(op, &fields, &overrides)?;
    let finish = finish(op);
    let docs = op_doc(op);
    Ok(quote! {
        #[doc = #head]
        ///
        /// Send it with `.send().await` or `.await`; set the optional parameters first.
        #[derive(Debug)]
        #[must_use = "a request does nothing until it is sent or awaited"]
        pub struct #name<'a> {
            client: &'a Client,
            #(#kept_fields,)*
        }

        impl<'a> #name<'a> {
            /// The request, with its path (and other required) parameters; the handler's
            /// method is the usual way to it.
            pub fn new(client: &'a Client, #(#args),*) -> Self {
                #name { client, #(#init),* }
            }

            #(#setters)*

            /// The request as it will be sent, to send another way (to read the answer's
            /// headers, say); a missing required field is an error here already.
            pub fn into_request(self) -> Result<edu_common::RequestBuilder> {
                let this = self;
                #prelude
                #send
                Ok(r)
            }

            #docs
            pub async fn send(self) -> Result<#ok> {
                let r = self.into_request()?;
                #finish
            }
        }

        impl<'a> IntoFuture for #name<'a> {
            type Output = Result<#ok>;
            type IntoFuture = BoxFuture<'a, Result<#ok>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    })
}

/// A listing: typed filters, page size, `pages()` and `stream()`; and whether it pages.
pub(super) fn listing(op: &Op, config: &LayerConfig) -> Result<(TokenStream, bool)> {
    let name = ident(&op.type_name);
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
    let head = format!(
        " The listing of `{} {}`: typed filters, then `.stream()` for the items or `.pages()` for the pages.",
        op.method.to_uppercase(),
        op.path
    );
    let how = match paged {
        Some(Paging::Cursor { .. }) => {
            " Pages follow the cursor in each answer's `Link` header until there is none; set the page size with `.page_size(n)`."
        }
        Some(Paging::Offset { .. }) => {
            " Pages are fetched by offset until a short page; set the page size with `.page_size(n)`."
        }
        None => " The API answers the whole list in one response.",
    };
    let mut kept = Kept::default();
    kept.required(&pos)?;
    kept.optional(&opt)?;
    if paged.is_some() {
        kept.fields.push(quote!(paging_size: Option<u32>));
        kept.init.push(quote!(paging_size: None));
    }
    match paged {
        Some(Paging::Cursor { .. }) => {
            kept.fields.push(quote!(paging_start: Option<String>));
            kept.init.push(quote!(paging_start: None));
        }
        Some(Paging::Offset { .. }) => {
            kept.fields.push(quote!(paging_start: Option<u64>));
            kept.init.push(quote!(paging_start: None));
        }
        None => {}
    }
    let Kept {
        fields: kept_fields,
        args,
        init,
    } = kept;
    let setters = setters(&opt)?;
    // The request of one page, from `this` (an owned clone of the listing).
    let fields = sent_fields(op, &pos, &opt)?;
    let id = &op.id;
    let page_size_fn: Expr = syn::parse_str(config.page_size_fn)?;
    let paging = match paged {
        Some(Paging::Cursor { cursor, page_size }) => {
            let ps = ident(page_size);
            let send = call(
                op,
                &fields,
                &[
                    Override {
                        setter: page_size,
                        argument: syn::parse_quote!(Some(std::num::NonZeroU64::from(size))),
                    },
                    Override {
                        setter: cursor,
                        argument: syn::parse_quote!(cursor.as_deref()),
                    },
                ],
            )?;
            quote! {
                /// Items per page (checked when the listing starts); without it, the crate's default page size.
                pub fn page_size(mut self, n: u32) -> Self {
                    self.paging_size = Some(n);
                    self
                }

                /// The API's name for [`Self::page_size`].
                pub fn #ps(self, n: u32) -> Self {
                    self.page_size(n)
                }

                /// Starts at this cursor (from a page's `next`) instead of the first page, to resume a listing.
                pub fn start_after_cursor(mut self, cursor: impl Into<String>) -> Self {
                    self.paging_start = Some(cursor.into());
                    self
                }

                /// The pages, each with its items and the cursor of the next.
                pub fn pages(self) -> PageStream<#item, String> {
                    let size = match #page_size_fn(self.paging_size) {
                        Ok(n) => n,
                        Err(e) => return paginate::failed(e),
                    };
                    let start = self.paging_start.clone();
                    paginate::pages_from(start, move |cursor: Option<String>| {
                        let this = self.clone();
                        async move {
                            #send
                            let answer = r.send_json_with_meta().await?;
                            paginate::cursor_page(this.client.transport(), #id, #cursor, answer)
                        }
                    })
                }
            }
        }
        Some(Paging::Offset { offset, limit }) => {
            let l = ident(limit);
            let send = call(
                op,
                &fields,
                &[
                    Override {
                        setter: offset,
                        argument: syn::parse_quote!(Some(crate::paging::window(offset)?)),
                    },
                    Override {
                        setter: limit,
                        argument: syn::parse_quote!(Some(crate::paging::window(limit)?)),
                    },
                ],
            )?;
            quote! {
                /// Items per page (checked when the listing starts); without it, the crate's default page size.
                pub fn page_size(mut self, n: u32) -> Self {
                    self.paging_size = Some(n);
                    self
                }

                /// The API's name for [`Self::page_size`].
                pub fn #l(self, n: u32) -> Self {
                    self.page_size(n)
                }

                /// Starts at this offset (from a page's `next`) instead of the first page, to resume a listing.
                pub fn start_at_offset(mut self, offset: u64) -> Self {
                    self.paging_start = Some(offset);
                    self
                }

                /// The pages, each with its items and the offset of the next.
                pub fn pages(self) -> PageStream<#item, u64> {
                    let size = match #page_size_fn(self.paging_size) {
                        Ok(n) => n,
                        Err(e) => return paginate::failed(e),
                    };
                    let start = self.paging_start.unwrap_or(0);
                    paginate::offset_pages(start, u64::from(size), move |offset, limit| {
                        let this = self.clone();
                        async move {
                            #send
                            r.send_json().await
                        }
                    })
                }
            }
        }
        None => {
            let build = call(op, &fields, &[])?;
            quote! {
                /// The whole list, as one page.
                pub fn pages(self) -> PageStream<#item, String> {
                    paginate::pages(move |_: Option<String>| {
                        let this = self.clone();
                        async move {
                            #build
                            Ok(paginate::Page::new(r.send_json().await?, None))
                        }
                    })
                }

                /// The whole list in one call.
                pub async fn send(self) -> Result<Vec<#item>> {
                    let this = self;
                    #build
                    r.send_json().await
                }
            }
        }
    };
    // One response holds the whole list: `.await` gives it, as `.send().await` does.
    let awaitable = paged.is_none().then(|| {
        quote! {
            impl std::future::IntoFuture for #name {
                type Output = Result<Vec<#item>>;
                type IntoFuture = futures::future::BoxFuture<'static, Result<Vec<#item>>>;

                fn into_future(self) -> Self::IntoFuture {
                    Box::pin(self.send())
                }
            }
        }
    });
    let docs = op_doc(op);
    let code = quote! {
        #[doc = #head]
        ///
        #[doc = #how]
        #docs
        #[derive(Debug, Clone)]
        #[must_use = "a listing does nothing until it is streamed"]
        pub struct #name {
            client: Client,
            #(#kept_fields,)*
        }

        impl #name {
            /// The listing, with its path (and other required) parameters; the handler's
            /// method is the usual way to it.
            pub fn new(client: Client, #(#args),*) -> Self {
                #name { client, #(#init),* }
            }

            #(#setters)*

            #paging

            /// The items, lazily, page after page.
            pub fn stream(self) -> ItemStream<#item> {
                paginate::items(self.pages())
            }
        }

        #awaitable
    };
    Ok((code, paged.is_some()))
}
