//! Names: Rust identifiers from spec names, and handler method names from a path's shape.

/// progenitor's method name for an operation id (`listVendors`, `get-studyofferings`).
pub fn snake(id: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in id.chars() {
        if c == '-' || c == ' ' || c == '.' || c == '_' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        } else if c.is_uppercase() {
            if prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

pub(super) fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

pub(super) fn is_param(seg: &str) -> bool {
    seg.starts_with('{')
}

/// Whether a path segment names the tag's own collection (`records` for `custom_records`).
pub(super) fn is_collection(seg: &str, tag: &str) -> bool {
    let tag = tag.to_lowercase();
    seg == tag || tag.ends_with(&format!("_{seg}")) || tag.ends_with(&format!("-{seg}"))
}

pub(super) fn singular(s: &str) -> String {
    s.strip_suffix('s').unwrap_or(s).to_owned()
}

pub(super) fn rust_ident(name: &str) -> String {
    match name {
        "type" | "ref" | "match" | "move" | "self" | "where" | "use" | "mod" | "fn" | "impl" => {
            format!("{name}_")
        }
        n => n.to_owned(),
    }
}

// Writing.

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_matches_progenitor() {
        assert_eq!(snake("listVendors"), "list_vendors");
        assert_eq!(
            snake("get-studyofferings-for-school"),
            "get_studyofferings_for_school"
        );
        assert_eq!(snake("get_planned_courses"), "get_planned_courses");
        assert_eq!(
            snake("postClaimSetsResourceClaimActionsByClaimSetId"),
            "post_claim_sets_resource_claim_actions_by_claim_set_id"
        );
    }
}
