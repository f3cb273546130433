//! Reading progenitor's output: the parameters and result of each generated operation, from
//! the syntax tree of either interface (builders or positional `async fn`s).

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use quote::ToTokens;
use syn::{
    FnArg, GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type, WherePredicate,
};

use super::model::{Builder, Setter};
use super::naming::camel;
use super::types::{first_arg, option_inner};

pub(super) fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// The builders in `mod builder`, by type name.
pub(super) fn builders(file: &syn::File) -> Result<HashMap<String, Builder>> {
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
            ok: syn::parse_quote!(()),
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
                b.setters.push(Setter { name: fname, ty });
            }
        }
        out.insert(name, b);
    }
    Ok(out)
}

/// `V: std::convert::TryInto<T>` → `T`.
pub(super) fn setter_type(f: &syn::ImplItemFn) -> Option<Type> {
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
                return Some(t.clone());
            }
        }
    }
    None
}

/// `Result<ResponseValue<T>, Error<E>>` → `T`.
pub(super) fn send_ok(output: &ReturnType) -> Result<Type> {
    let ReturnType::Type(_, ty) = output else {
        bail!("send() returns nothing");
    };
    let rv = first_arg(ty).context("send() does not return Result<..>")?;
    let t = first_arg(&rv).context("send() does not return Result<ResponseValue<..>>")?;
    Ok(t)
}

/// The methods of the generated `Client`'s own `impl` blocks that take `self`.
pub(super) fn client_methods(file: &syn::File) -> impl Iterator<Item = &syn::ImplItemFn> {
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
pub(super) fn client_fns(file: &syn::File) -> HashMap<String, String> {
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
pub(super) fn has_builders(file: &syn::File) -> bool {
    file.items
        .iter()
        .any(|i| matches!(i, Item::Mod(m) if m.ident == "builder"))
}

/// The positional interface: the generated `Client`'s `async fn`s, each read as the builder it
/// replaces (keyed by the type name the layer gives its request), and method name → that name.
pub(super) fn positional_fns(
    file: &syn::File,
) -> Result<(HashMap<String, Builder>, HashMap<String, String>)> {
    let mut builders = HashMap::new();
    let mut names = HashMap::new();
    for f in client_methods(file).filter(|f| f.sig.asyncness.is_some()) {
        let fname = f.sig.ident.to_string();
        let mut b = Builder {
            setters: Vec::new(),
            ok: send_ok(&f.sig.output)
                .with_context(|| format!("reading the result type of {fname}"))?,
        };
        for arg in &f.sig.inputs {
            let FnArg::Typed(pt) = arg else { continue };
            let name = tokens(&pt.pat);
            let inner = option_inner(&pt.ty).unwrap_or_else(|| (*pt.ty).clone());
            // The layer keeps an owned value: `&str` as a `String`, `&T` as a `T`.
            let ty = match &inner {
                Type::Reference(r) if tokens(&r.elem) == "str" => {
                    syn::parse_quote!(::std::string::String)
                }
                Type::Reference(r) => (*r.elem).clone(),
                other => other.clone(),
            };
            b.setters.push(Setter { name, ty });
        }
        let type_name = camel(&fname);
        names.insert(fname, type_name.clone());
        builders.insert(type_name, b);
    }
    Ok((builders, names))
}
