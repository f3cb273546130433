//! Writes that read as prose: the setters a write's request gets for each field of its body
//! (`.name("Acme")`, `.label_ids([1, 2])`, `.address_attributes(|a| a.city("Utrecht"))`,
//! `.clear_phone()`), and a builder for every object a body nests. The setters fill an
//! `edu_common::fields::Fields`; the typed body is made from it when the request is sent, so a
//! missing required field is an error naming it before anything goes out.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields as SynFields, Ident, Item, Type};

use super::naming::rust_ident;
use super::types::{first_arg, option_inner, type_name, vec_item};

/// The generated `types` module's items, by name.
pub(super) struct TypesIndex {
    items: BTreeMap<String, Item>,
}

impl TypesIndex {
    pub(super) fn new(file: &syn::File) -> TypesIndex {
        let mut items = BTreeMap::new();
        for item in &file.items {
            if let Item::Mod(m) = item
                && m.ident == "types"
                && let Some((_, content)) = &m.content
            {
                for i in content {
                    let name = match i {
                        Item::Struct(s) => s.ident.to_string(),
                        Item::Enum(e) => e.ident.to_string(),
                        _ => continue,
                    };
                    items.insert(name, i.clone());
                }
            }
        }
        TypesIndex { items }
    }

    /// The named fields of the struct `name` (none for an enum or a newtype).
    fn fields(&self, name: &str) -> Option<Vec<Field>> {
        let Some(Item::Struct(s)) = self.items.get(name) else {
            return None;
        };
        let SynFields::Named(named) = &s.fields else {
            return None;
        };
        Some(
            named
                .named
                .iter()
                .filter_map(|f| {
                    let ident = f.ident.as_ref()?.to_string();
                    if ident == "extra" {
                        return None;
                    }
                    let mut json = ident.trim_start_matches("r#").to_owned();
                    let mut default = false;
                    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                        let text = quote!(#attr).to_string();
                        if let Some(rest) = text.split("rename = \"").nth(1) {
                            json = rest.split('"').next().unwrap_or_default().to_owned();
                        }
                        default |= text.contains("default");
                    }
                    Some(Field {
                        json,
                        ty: f.ty.clone(),
                        default,
                    })
                })
                .collect(),
        )
    }

    /// For a newtype over `Option<Object>` (a nullable object, `AddressPayload`), the object.
    fn nullable_object(&self, name: &str) -> Option<String> {
        let Some(Item::Struct(s)) = self.items.get(name) else {
            return None;
        };
        let SynFields::Unnamed(u) = &s.fields else {
            return None;
        };
        let inner = option_inner(&u.unnamed.first()?.ty)?;
        let inner = type_name(&inner)?;
        self.fields(&inner).map(|_| inner)
    }
}

/// One field of a body or nested object.
struct Field {
    json: String,
    ty: Type,
    default: bool,
}

/// What a field holds, as its setter takes it.
enum Kind {
    Text,
    /// A value taken with `impl Into<T>` (numbers, booleans, enums, dates, newtypes).
    Value(Type),
    /// An object with a builder of its own (nullable when it is a newtype over `Option`).
    Object {
        name: String,
        nullable: bool,
    },
    List(Box<Kind>),
    /// `Map<String, Value>`: entries set one by one.
    Entries,
    /// Set through `.body(..)` only.
    Unsupported,
}

fn kind(ty: &Type, index: &TypesIndex) -> Kind {
    if let Some(inner) = option_inner(ty) {
        return kind(&inner, index);
    }
    if let Some(item) = vec_item(ty) {
        return Kind::List(Box::new(kind(&item, index)));
    }
    match type_name(ty).as_deref() {
        Some("String") => Kind::Text,
        Some("Map" | "HashMap" | "BTreeMap") => Kind::Entries,
        Some("Box") => first_arg(ty).map_or(Kind::Value(ty.clone()), |t| kind(&t, index)),
        Some(name) if index.items.contains_key(name) => {
            if index.fields(name).is_some() {
                Kind::Object {
                    name: name.to_owned(),
                    nullable: false,
                }
            } else if let Some(inner) = index.nullable_object(name) {
                Kind::Object {
                    name: inner,
                    nullable: true,
                }
            } else {
                let id = format_ident!("{name}");
                Kind::Value(syn::parse_quote!(types::#id))
            }
        }
        // A type that names a model inside generics is left to `.body(..)`.
        _ if mentions_model(ty, index) => Kind::Unsupported,
        _ => Kind::Value(ty.clone()),
    }
}

/// Whether a model of the `types` module appears anywhere in `ty` (unqualified, as typify
/// writes them inside generics).
fn mentions_model(ty: &Type, index: &TypesIndex) -> bool {
    quote!(#ty)
        .to_string()
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| index.items.contains_key(w))
}

/// A setter's name: the field's, as a Rust identifier.
fn setter_name(json: &str) -> String {
    let mut s: String = super::naming::snake(json)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    rust_ident(&s)
}

/// `order_items` → `order_item`, `course_tab_contents_attributes` → `course_tab_contents_attribute`.
fn singular_of(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("ss") {
        name.to_owned()
    } else {
        name.strip_suffix('s').unwrap_or(name).to_owned()
    }
}

/// The setters of an object's fields, writing into `self.body`; objects nested in it are added
/// to `nested` (their builders are written by [`builders_module`]). `clearable`: optional fields
/// get a `clear_<field>()` that sets them to `null` (an update's body). `taken` names the
/// methods the type already has: a field whose setter would take one of them is left to
/// `.body(..)`.
pub(super) fn setters(
    object: &str,
    index: &TypesIndex,
    clearable: bool,
    taken: &[String],
    nested: &mut BTreeSet<String>,
) -> Vec<TokenStream> {
    let Some(fields) = index.fields(object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in fields {
        let name = setter_name(&f.json);
        if taken.contains(&name) {
            continue;
        }
        let setter = format_ident!("{name}");
        let json = &f.json;
        let optional = option_inner(&f.ty).is_some();
        let doc = format!(" Sets `{json}`.");
        let k = kind(&f.ty, index);
        let nullable_object = matches!(k, Kind::Object { nullable: true, .. });
        match k {
            Kind::Text => out.push(quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: impl Into<String>) -> Self {
                    self.body.set(#json, value.into());
                    self
                }
            }),
            Kind::Value(t) => out.push(quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: impl Into<#t>) -> Self {
                    self.body.set(#json, value.into());
                    self
                }
            }),
            Kind::Object { name: obj, .. } => {
                nested.insert(obj.clone());
                let b = format_ident!("{obj}");
                let doc = format!(" Sets `{json}`, built with [`builders::{obj}`].");
                out.push(quote! {
                    #[doc = #doc]
                    pub fn #setter(mut self, build: impl FnOnce(builders::#b) -> builders::#b) -> Self {
                        self.body.set(#json, build(builders::#b::default()).into_value());
                        self
                    }
                });
            }
            Kind::List(item) => match *item {
                Kind::Text => out.push(quote! {
                    #[doc = #doc]
                    pub fn #setter(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
                        let values: Vec<String> = values.into_iter().map(Into::into).collect();
                        self.body.set(#json, values);
                        self
                    }
                }),
                Kind::Value(t) => out.push(quote! {
                    #[doc = #doc]
                    pub fn #setter(mut self, values: impl IntoIterator<Item = impl Into<#t>>) -> Self {
                        let values: Vec<#t> = values.into_iter().map(Into::into).collect();
                        self.body.set(#json, values);
                        self
                    }
                }),
                Kind::Object { name: obj, .. } => {
                    nested.insert(obj.clone());
                    let b = format_ident!("{obj}");
                    let add = format_ident!("add_{}", singular_of(&name).trim_end_matches('_'));
                    if taken.contains(&add.to_string()) {
                        continue;
                    }
                    let doc = format!(
                        " Adds one item to `{json}`, built with [`builders::{obj}`] (call it once per item)."
                    );
                    out.push(quote! {
                        #[doc = #doc]
                        pub fn #add(mut self, build: impl FnOnce(builders::#b) -> builders::#b) -> Self {
                            self.body.push(#json, build(builders::#b::default()).into_value());
                            self
                        }
                    });
                    // The whole list from typed items (read earlier, say): `Vec<types::X>`.
                    if !taken.contains(&setter.to_string()) {
                        let doc = format!(
                            " Sets `{json}` to these items (typed values, read earlier, say); [`Self::{add}`] builds one."
                        );
                        out.push(quote! {
                            #[doc = #doc]
                            pub fn #setter(mut self, items: impl IntoIterator<Item = types::#b>) -> Self {
                                let items: Vec<types::#b> = items.into_iter().collect();
                                self.body.set(#json, items);
                                self
                            }
                        });
                    }
                }
                // Lists of lists or of maps: set through `.body(..)`.
                Kind::List(_) | Kind::Entries | Kind::Unsupported => {}
            },
            Kind::Unsupported => continue,
            Kind::Entries => {
                let doc = format!(" Sets the entry `key` of `{json}` (call it once per entry).");
                out.push(quote! {
                    #[doc = #doc]
                    pub fn #setter(mut self, key: impl Into<String>, value: impl serde::Serialize) -> Self {
                        self.body.insert(#json, key.into(), value);
                        self
                    }
                });
            }
        }
        if (clearable && optional) || nullable_object {
            let clear = format_ident!("clear_{}", name.trim_end_matches('_'));
            if !taken.contains(&clear.to_string()) {
                let doc = format!(" Sets `{json}` to `null` on purpose (clears it).");
                out.push(quote! {
                    #[doc = #doc]
                    pub fn #clear(mut self) -> Self {
                        self.body.set_null(#json);
                        self
                    }
                });
            }
        }
    }
    out
}

/// What a write's request gets for its body: the setters, and the statements that make the
/// typed body (named `body`) when it is sent.
pub(super) struct BodyRequest {
    pub(super) setters: Vec<TokenStream>,
    pub(super) prelude: TokenStream,
}

/// The body part of `op`'s request: a setter per field of `body_ty`, `.body(&T)` to set them
/// all from a typed value, and the prelude of `send` that checks the required fields and puts
/// back the fields set to `null` on purpose (the typed body keeps them in its `extra` fields).
pub(super) fn body_request(
    op: &super::model::Op,
    body_ty: &Type,
    index: &TypesIndex,
    taken: &[String],
    nested: &mut BTreeSet<String>,
) -> BodyRequest {
    let object = type_name(body_ty).unwrap_or_default();
    // An update's optional fields can be cleared; a create's are simply left out.
    let clearable = matches!(op.method.as_str(), "patch" | "put");
    let mut out = setters(&object, index, clearable, taken, nested);
    out.push(quote! {
        /// Sets every field of the body from a typed value (a body made elsewhere, or a record
        /// read earlier); setters called after it change single fields.
        pub fn body(mut self, value: &#body_ty) -> Self {
            self.body.replace_with(value);
            self
        }

        /// Sets every field of the body from JSON as it was given (a file, a command line):
        /// an explicit `null` stays a `null`; the fields are checked against the body's type
        /// when the request is sent.
        pub fn body_json(mut self, fields: serde_json::Map<String, serde_json::Value>) -> Self {
            self.body.replace_with(&fields);
            self
        }
    });
    let required = required(&object, index);
    let pairs = required.iter().map(|(j, s)| quote!((#j, #s)));
    let id = &op.id;
    let prelude = quote! {
        let edu_common::fields::Finished { mut body, nulls } =
            this.body.finish::<#body_ty>(#id, &[#(#pairs),*])?;
        for name in nulls {
            body.extra.insert(name, serde_json::Value::Null);
        }
    };
    BodyRequest {
        setters: out,
        prelude,
    }
}

/// The required fields of `object`, each `(json name, setter)`: those typify keeps neither as an
/// `Option` nor with a default.
pub(super) fn required(object: &str, index: &TypesIndex) -> Vec<(String, String)> {
    index
        .fields(object)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| option_inner(&f.ty).is_none() && !f.default)
        .map(|f| {
            let s = setter_name(&f.json);
            (f.json, s)
        })
        .collect()
}

/// `pub mod builders`: a builder for every object a body nests (and those they nest).
pub(super) fn builders_module(index: &TypesIndex, mut todo: BTreeSet<String>) -> TokenStream {
    let mut done = BTreeSet::new();
    let mut items = Vec::new();
    while let Some(name) = todo.pop_first() {
        if !done.insert(name.clone()) {
            continue;
        }
        let mut nested = BTreeSet::new();
        let taken = vec!["into_value".to_owned(), "default".to_owned()];
        let setters = setters(&name, index, false, &taken, &mut nested);
        todo.extend(nested.into_iter().filter(|n| !done.contains(n)));
        let ident: Ident = format_ident!("{name}");
        let doc = format!(
            " Builds a [`types::{name}`] field by field, inside the write that nests it; the write \
             checks its required fields when it is sent."
        );
        items.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Default)]
            #[must_use]
            pub struct #ident {
                body: edu_common::fields::Fields,
            }

            impl #ident {
                #(#setters)*

                /// The fields set, as JSON (what the enclosing write sends).
                pub fn into_value(self) -> serde_json::Value {
                    self.body.into_value()
                }
            }
        });
    }
    quote! {
        /// Builders for the objects a write's body nests: each write's setter takes a closure
        /// that fills one (`.address_attributes(|a| a.city("Utrecht"))`).
        pub mod builders {
            #[allow(unused_imports)]
            use super::builders;
            use crate::generated::types;

            #(#items)*
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_names_for_adders() {
        assert_eq!(singular_of("order_items"), "order_item");
        assert_eq!(singular_of("categories"), "category");
        assert_eq!(singular_of("address"), "address");
    }

    #[test]
    fn setter_names_are_rust_identifiers() {
        assert_eq!(setter_name("type"), "type_");
        assert_eq!(setter_name("first-name"), "first_name");
        assert_eq!(setter_name("2fa"), "_2fa");
        assert_eq!(setter_name("originalId"), "original_id");
        assert_eq!(setter_name("resourceClaims"), "resource_claims");
    }
}
