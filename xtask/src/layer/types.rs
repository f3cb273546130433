//! Reading the types progenitor wrote: what an `Option` or a `Vec` holds, a path's last name.

use syn::{GenericArgument, PathArguments, Type};

/// `Option<T>` → `T`.
pub(super) fn option_inner(ty: &Type) -> Option<Type> {
    inner_of(ty, "Option")
}

/// `Vec<T>` → `T`: what a listing's pages hold.
pub(super) fn vec_item(ty: &Type) -> Option<Type> {
    inner_of(ty, "Vec")
}

/// `<wrapper><T>` → `T`, for a wrapper named by the path's last segment.
fn inner_of(ty: &Type, wrapper: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    if p.path.segments.last()?.ident != wrapper {
        return None;
    }
    first_arg(ty)
}

/// `X<T, ..>` → `T`.
pub(super) fn first_arg(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let PathArguments::AngleBracketed(a) = &p.path.segments.last()?.arguments else {
        return None;
    };
    match a.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// The last segment of a path type's name (`String`, `i64`, `NonZeroU64`), if it is one.
pub(super) fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Whether a type is a generated model (`types::…`).
pub(super) fn is_model(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.first().is_some_and(|s| s.ident == "types"))
}
