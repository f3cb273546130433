//! Enums that meet: typify writes one enum per place a value set appears (a record's
//! `PlannedCourseStatus`, a filter's `GetPlannedCoursesStatusItem`, a body's
//! `CreateOrderBodyCostScheme`), which do not convert into each other. For every two open enums
//! (with an `Other(String)` for values the client does not know) of the same set of values, this
//! writes `From` both ways, matching values by their wire text, so a record's value passes
//! straight to a filter or a body.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields, Item};

/// An enum's name and its values, each (wire text, variant).
type OpenEnum = (String, Vec<(String, String)>);

/// `impl From<types::A> for types::B` for every ordered pair of open enums of `file`'s `types`
/// module with the same values; and for each enum in `many` (the items of a multi-value
/// filter, whose setter takes `impl Into<Vec<X>>`), `From<X> for Vec<X>` and `From<A> for
/// Vec<X>` for its look-alikes, so a filter takes one value as well as several.
pub(super) fn conversions(file: &syn::File, many: &BTreeSet<String>) -> TokenStream {
    // Value set (sorted wire texts) → the enums with it, each with (wire text, variant).
    let mut groups: BTreeMap<Vec<String>, Vec<OpenEnum>> = BTreeMap::new();
    for item in &file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        let Some((_, content)) = &m.content else {
            continue;
        };
        for i in content {
            let Item::Enum(e) = i else { continue };
            let mut values = Vec::new();
            let mut open = false;
            for v in &e.variants {
                match &v.fields {
                    Fields::Unit => {
                        let rename = v.attrs.iter().find_map(|a| {
                            let text = quote!(#a).to_string();
                            text.split("rename = \"")
                                .nth(1)
                                .map(|r| r.split('"').next().unwrap_or_default().to_owned())
                        });
                        // Without a rename, serde writes the variant's own name.
                        let wire = rename.unwrap_or_else(|| v.ident.to_string());
                        values.push((wire, v.ident.to_string()));
                    }
                    Fields::Unnamed(_) if v.ident == "Other" => open = true,
                    _ => {
                        values.clear();
                        open = false;
                        break;
                    }
                }
            }
            if !open || values.len() < 2 {
                continue;
            }
            let mut key: Vec<String> = values.iter().map(|(w, _)| w.clone()).collect();
            key.sort();
            groups
                .entry(key)
                .or_default()
                .push((e.ident.to_string(), values));
        }
    }
    let mut impls = Vec::new();
    for item in many {
        let x = format_ident!("{item}");
        let doc = " One value, as a filter of one: `vec![value]`.";
        impls.push(quote! {
            impl From<types::#x> for Vec<types::#x> {
                #[doc = #doc]
                fn from(value: types::#x) -> Self {
                    vec![value]
                }
            }
        });
        let alikes = groups
            .values()
            .filter(|m| m.iter().any(|(n, _)| n == item))
            .flat_map(|m| m.iter().map(|(n, _)| n.clone()))
            .filter(|n| n != item);
        for other in alikes {
            let y = format_ident!("{other}");
            impls.push(quote! {
                impl From<types::#y> for Vec<types::#x> {
                    #[doc = #doc]
                    fn from(value: types::#y) -> Self {
                        vec![value.into()]
                    }
                }
            });
        }
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        for (from, from_values) in members {
            for (to, to_values) in members {
                if from == to {
                    continue;
                }
                let (a, b) = (format_ident!("{from}"), format_ident!("{to}"));
                let arms = from_values.iter().map(|(wire, variant)| {
                    let target = &to_values
                        .iter()
                        .find(|(w, _)| w == wire)
                        .expect("the same value set")
                        .1;
                    let (va, vb) = (format_ident!("{variant}"), format_ident!("{target}"));
                    quote!(types::#a::#va => types::#b::#vb,)
                });
                let doc = format!(" The same value, as a [`types::{to}`].");
                impls.push(quote! {
                    impl From<types::#a> for types::#b {
                        #[doc = #doc]
                        fn from(value: types::#a) -> Self {
                            match value {
                                #(#arms)*
                                types::#a::Other(text) => types::#b::Other(text),
                            }
                        }
                    }
                });
            }
        }
    }
    quote!(#(#impls)*)
}
