//! Makes the generated string enums forward-compatible: an API that adds a value (a new
//! enrollment status) must not make a whole record fail to decode.
//!
//! typify generates each string enum as unit variants with `#[serde(rename = "…")]`, a
//! `Display` and a `FromStr` that refuses unknown text. This pass, run on the generated syntax
//! tree before it is printed, gives every such enum an `Other(String)` variant that keeps a value
//! it does not know (`#[serde(untagged)]`, so it serialises back as sent), drops `Copy` (a
//! `String` is not `Copy`), teaches `Display` the new variant, and makes `FromStr` keep unknown
//! text instead of failing.

use std::collections::HashSet;

use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Arm, Expr, Fields, ImplItem, Item, ItemEnum, ItemImpl, Meta, Path, Token, parse_quote};

/// Opens every string enum in `file`. Returns how many it opened.
pub fn open(file: &mut syn::File) -> usize {
    let mut names = HashSet::new();
    collect(&file.items, &mut names);
    let mut pass = Open { names: &names };
    pass.visit_file_mut(file);
    names.len()
}

fn collect(items: &[Item], names: &mut HashSet<String>) {
    for item in items {
        match item {
            Item::Enum(e) if is_string_enum(e) => {
                names.insert(e.ident.to_string());
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect(inner, names);
                }
            }
            _ => {}
        }
    }
}

/// Unit variants only, deserialised by serde: a string enum (typify writes one for every
/// `enum` of strings, with `#[serde(rename)]` where a value is not a Rust identifier).
fn is_string_enum(e: &ItemEnum) -> bool {
    !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, Fields::Unit))
        && e.attrs.iter().any(|a| {
            a.path().is_ident("derive")
                && a.meta
                    .require_list()
                    .is_ok_and(|l| l.tokens.to_string().contains("Deserialize"))
        })
}

struct Open<'a> {
    names: &'a HashSet<String>,
}

impl VisitMut for Open<'_> {
    fn visit_item_enum_mut(&mut self, e: &mut ItemEnum) {
        if !self.names.contains(&e.ident.to_string()) {
            return;
        }
        for attr in &mut e.attrs {
            if attr.path().is_ident("derive")
                && let Ok(list) =
                    attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
            {
                let kept: Punctuated<Path, Token![,]> =
                    list.into_iter().filter(|p| !p.is_ident("Copy")).collect();
                attr.meta = Meta::List(parse_quote!(derive(#kept)));
            }
        }
        e.variants.push(parse_quote! {
            /// A value this client does not know (the API added it), kept as sent.
            #[serde(untagged)]
            Other(::std::string::String)
        });
    }

    fn visit_item_impl_mut(&mut self, i: &mut ItemImpl) {
        let syn::Type::Path(ty) = &*i.self_ty else {
            return;
        };
        let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if !self.names.contains(&name) {
            return;
        }
        let Some((_, trait_path, _)) = &i.trait_ else {
            return;
        };
        let trait_name = trait_path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        for item in &mut i.items {
            let ImplItem::Fn(f) = item else { continue };
            for stmt in &mut f.block.stmts {
                let syn::Stmt::Expr(Expr::Match(m), _) = stmt else {
                    continue;
                };
                match trait_name.as_str() {
                    "Display" => {
                        // `match *self` cannot move the String out: match on the reference.
                        *m.expr = parse_quote!(self);
                        let arm: Arm = parse_quote!(Self::Other(v) => f.write_str(v),);
                        m.arms.push(arm);
                    }
                    "FromStr" => {
                        for arm in &mut m.arms {
                            if matches!(arm.pat, syn::Pat::Wild(_)) {
                                *arm.body = parse_quote!(Ok(Self::Other(value.to_string())));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
