//! Makes the generated models keep fields they do not know: a field the API adds to a record
//! survives a read-modify-write instead of being silently dropped.
//!
//! typify generates each object schema as a struct of named fields; serde ignores keys it has no
//! field for. This pass, run on the generated syntax tree before it is printed, gives every such
//! struct in `mod types` that derives `Deserialize`
//!
//! ```text
//! #[serde(flatten, skip_serializing_if = "Map::is_empty")]
//! pub extra: serde_json::Map<String, serde_json::Value>,
//! ```
//!
//! and adds `extra: Default::default()` to every struct expression that builds one (typify's
//! builder conversions and `Default` impls). Structs that already have a field named `extra`, or
//! that derive traits a map cannot have (`Hash`, `Ord`, `Copy`), are left alone.

use std::collections::HashSet;

use syn::visit_mut::VisitMut;
use syn::{Expr, ExprStruct, Fields, Item, ItemImpl, ItemMod, ItemStruct, Member, parse_quote};

/// Opens every model struct in `file`'s `types` module. Returns how many it opened.
pub fn open(file: &mut syn::File) -> usize {
    let Some(types) = file.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return 0;
    };
    let mut names = HashSet::new();
    for item in types.iter_mut() {
        if let Item::Struct(s) = item
            && eligible(s)
        {
            add_field(s);
            names.insert(s.ident.to_string());
        }
    }
    let mut pass = Fill {
        names: &names,
        in_builder: false,
        self_ty: None,
        self_ty_is_super: false,
    };
    for item in types.iter_mut() {
        pass.visit_item_mut(item);
    }
    names.len()
}

fn derives(s: &ItemStruct) -> Vec<String> {
    s.attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .flat_map(|a| {
            a.meta
                .require_list()
                .map(|l| l.tokens.to_string())
                .unwrap_or_default()
                .split(',')
                .map(|d| d.trim().rsplit("::").next().unwrap_or("").trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn eligible(s: &ItemStruct) -> bool {
    let Fields::Named(fields) = &s.fields else {
        return false;
    };
    let d = derives(s);
    d.iter().any(|x| x == "Deserialize")
        && !d
            .iter()
            .any(|x| matches!(x.as_str(), "Hash" | "Ord" | "PartialOrd" | "Copy"))
        && !fields
            .named
            .iter()
            .any(|f| f.ident.as_ref().is_some_and(|i| i == "extra"))
}

fn add_field(s: &mut ItemStruct) {
    if let Fields::Named(fields) = &mut s.fields {
        fields.named.push(parse_quote! {
            /// Fields the spec does not define, kept as the API sent them (and sent back).
            #[serde(flatten, skip_serializing_if = "::serde_json::Map::is_empty")]
            pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>
        });
    }
}

struct Fill<'a> {
    names: &'a HashSet<String>,
    /// Inside `mod builder`, where `Self` and bare names are the builders, not the models.
    in_builder: bool,
    /// The type of the `impl` being visited, and whether it was named through `super::`.
    self_ty: Option<String>,
    self_ty_is_super: bool,
}

impl Fill<'_> {
    /// The model a struct expression builds, if it is one of the opened ones.
    fn target(&self, e: &ExprStruct) -> Option<String> {
        let segs: Vec<String> = e
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let last = segs.last()?.clone();
        let name = if last == "Self" {
            self.self_ty.clone()?
        } else {
            last
        };
        let via_super = segs.first().is_some_and(|s| s == "super");
        let is_model = if self.in_builder {
            via_super || (segs.len() == 1 && segs[0] == "Self" && self.self_ty_is_super)
        } else {
            true
        };
        (is_model && self.names.contains(&name)).then_some(name)
    }
}

impl VisitMut for Fill<'_> {
    fn visit_item_mod_mut(&mut self, m: &mut ItemMod) {
        let was = self.in_builder;
        self.in_builder = m.ident == "builder";
        syn::visit_mut::visit_item_mod_mut(self, m);
        self.in_builder = was;
    }

    fn visit_item_impl_mut(&mut self, i: &mut ItemImpl) {
        let was = (self.self_ty.take(), self.self_ty_is_super);
        if let syn::Type::Path(p) = &*i.self_ty {
            self.self_ty = p.path.segments.last().map(|s| s.ident.to_string());
            self.self_ty_is_super = p.path.segments.first().is_some_and(|s| s.ident == "super");
        }
        syn::visit_mut::visit_item_impl_mut(self, i);
        (self.self_ty, self.self_ty_is_super) = was;
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        if let Expr::Struct(s) = e
            && s.rest.is_none()
            && self.target(s).is_some()
            && !s
                .fields
                .iter()
                .any(|f| matches!(&f.member, Member::Named(i) if i == "extra"))
        {
            s.fields
                .push(parse_quote!(extra: ::std::default::Default::default()));
        }
    }
}
