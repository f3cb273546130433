//! Writing the layer as tokens: request types, listings and resource handlers.

use anyhow::{Context, Result, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Expr, Ident, Type};

use std::collections::BTreeSet;

use super::body_builders::{self, TypesIndex};
use super::config::{LayerConfig, Paging};
use super::model::{Op, Param, Pass, Setter, body_ty, optional, positional, setter_of};
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

/// A parameter a listing sets per page: its setter, the builder statement, and the positional
/// method's argument.
struct Override {
    setter: &'static str,
    statement: TokenStream,
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

/// The call itself (see [`call`]).
fn send_call(op: &Op, fields: &[(&Setter, bool)], overrides: &[Override]) -> Result<TokenStream> {
    let raw = ident(&op.raw_fn);
    let Some(order) = &op.builder.call else {
        let sets = fields.iter().map(|(s, required)| {
            let n = ident(&s.name);
            if *required {
                quote!(b = b.#n(this.#n);)
            } else {
                quote!(if let Some(v) = this.#n { b = b.#n(v); })
            }
        });
        let extra = overrides.iter().map(|o| &o.statement);
        return Ok(quote! {
            #[allow(unused_mut)]
            let mut b = this.client.raw().#raw();
            #(#sets)*
            #(#extra)*
            let r = b.send();
        });
    };
    let mut args: Vec<Expr> = Vec::new();
    for name in order {
        let setter = setter_of(op, name).context("an argument is a parameter")?;
        let n = ident(name);
        let arg: Expr = if let Some(o) = overrides.iter().find(|o| o.setter == name) {
            o.argument.clone()
        } else if let Some((_, required)) = fields.iter().find(|f| f.0.name == *name) {
            let value: Expr = match (setter.pass, required) {
                (Pass::Str | Pass::Ref, true) => syn::parse_quote!(&this.#n),
                (Pass::Str, false) => syn::parse_quote!(this.#n.as_deref()),
                (Pass::Ref, false) => syn::parse_quote!(this.#n.as_ref()),
                (Pass::Value | Pass::Setter, _) => syn::parse_quote!(this.#n),
            };
            match (setter.optional, required) {
                (true, true) => syn::parse_quote!(Some(#value)),
                (false, false) => {
                    bail!("{}: `{name}` is optional here but not in the method", op.id)
                }
                _ => value,
            }
        } else if setter.optional {
            syn::parse_quote!(None)
        } else {
            bail!("{}: nothing to pass for the required `{name}`", op.id);
        };
        args.push(arg);
    }
    Ok(quote!(let r = this.client.raw().#raw(#(#args),*);))
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
            .chain(["send", "new", "body"].map(String::from))
            .collect();
        let written = body_builders::body_request(op, &b.ty, index, &taken, nested);
        kept.fields.push(quote!(body: edu_common::fields::Fields));
        kept.init
            .push(quote!(body: edu_common::fields::Fields::default()));
        setters.extend(written.setters);
        prelude = written.prelude;
        overrides.push(Override {
            setter: "body",
            statement: quote!(b = b.body(body);),
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
    let docs = op_doc(op);
    let id = &op.id;
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
            pub(crate) fn new(client: &'a Client, #(#args),*) -> Self {
                #name { client, #(#init),* }
            }

            #(#setters)*

            #docs
            pub async fn send(self) -> Result<#ok> {
                let this = self;
                #prelude
                #send
                this.client.value(#id, r).await
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
    if matches!(paged, Some(Paging::Cursor { .. })) {
        kept.fields.push(quote!(paging_start: Option<String>));
        kept.init.push(quote!(paging_start: None));
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
            let (c, ps) = (ident(cursor), ident(page_size));
            let send = call(
                op,
                &fields,
                &[
                    Override {
                        setter: page_size,
                        statement: quote!(b = b.#ps(std::num::NonZeroU64::from(size));),
                        argument: syn::parse_quote!(Some(std::num::NonZeroU64::from(size))),
                    },
                    Override {
                        setter: cursor,
                        statement: quote!(if let Some(c) = cursor { b = b.#c(c); }),
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
                            this.client.cursor_page(#id, r).await
                        }
                    })
                }
            }
        }
        Some(Paging::Offset { offset, limit }) => {
            let (o, l) = (ident(offset), ident(limit));
            let send = call(
                op,
                &fields,
                &[
                    Override {
                        setter: offset,
                        statement: quote!(b = b.#o(crate::window(offset)?);),
                        argument: syn::parse_quote!(Some(crate::window(offset)?)),
                    },
                    Override {
                        setter: limit,
                        statement: quote!(b = b.#l(crate::window(limit)?);),
                        argument: syn::parse_quote!(Some(crate::window(limit)?)),
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

                /// The pages, each with its items and the offset of the next.
                pub fn pages(self) -> PageStream<#item, u64> {
                    let size = match #page_size_fn(self.paging_size) {
                        Ok(n) => n,
                        Err(e) => return paginate::failed(e),
                    };
                    paginate::offset_pages(0, u64::from(size), move |offset, limit| {
                        let this = self.clone();
                        async move {
                            #send
                            this.client.value(#id, r).await
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
                            Ok(paginate::Page::new(this.client.value(#id, r).await?, None))
                        }
                    })
                }

                /// The whole list in one call.
                pub async fn send(self) -> Result<Vec<#item>> {
                    let this = self;
                    #build
                    this.client.value(#id, r).await
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
            pub(crate) fn new(client: Client, #(#args),*) -> Self {
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
