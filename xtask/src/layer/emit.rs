//! Writing the layer: request types, listings and resource handlers.

use std::fmt::Write as _;

use anyhow::{Context, Result, bail};

use super::config::{LayerConfig, Paging};
use super::model::{Op, Param, Pass, Setter, body_ty, optional, positional, setter_of, vec_item};
use super::naming::{camel, snake};

/// A doc string as a `#[doc = ".."]` attribute: lines trimmed so no text turns into an indented
/// code block, and unlabelled fences marked `text` so none becomes a doctest.
pub(super) fn doc(text: &str) -> String {
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

pub(super) fn op_doc(op: &Op) -> String {
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
pub(super) fn arg_ty(ty: &str) -> String {
    format!("impl Into<{ty}>")
}

pub(super) fn setter_doc(p: &Param) -> String {
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
pub(super) fn call(
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
pub(super) fn write_request(out: &mut String, op: &Op) -> Result<()> {
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
pub(super) fn write_listing(out: &mut String, op: &Op, config: &LayerConfig) -> Result<bool> {
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
pub(super) fn write_handler(
    out: &mut String,
    tag: &str,
    tag_doc: Option<&String>,
    ops: &[(&Op, String)],
) {
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
