//! A profile definition's XML, checked as the server checks it against the ODS/API profile
//! schema (`Ed-Fi-ODS-API-Profile.xsd`): well-formed, a `Profile` root with at least one
//! `Resource`, and each `Resource` holding at most a `ReadContentType` then at most a
//! `WriteContentType`. The messages follow .NET's schema validator, which the server passes on
//! under `errors.Definition`. What lies inside a content type is not checked.

/// One element: its name and its child elements' names, in order.
struct Element {
    name: String,
    children: Vec<String>,
}

/// The schema errors of `definition`, in document order (empty when it is valid); `Err` when
/// it is not well-formed XML (the parser's one message).
pub(super) fn problems(definition: &str) -> Result<Vec<String>, String> {
    let elements = parse(definition)?;
    let mut out = Vec::new();
    let Some(root) = elements.first() else {
        return Err("Root element is missing.".to_owned());
    };
    if root.name != "Profile" {
        return Ok(vec![format!(
            "The '{}' element is not declared.",
            root.name
        )]);
    }
    for e in &elements {
        match e.name.as_str() {
            "Profile" => {
                if let Some(bad) = e.children.iter().find(|c| *c != "Resource") {
                    out.push(invalid_child("Profile", bad, "Resource"));
                } else if e.children.is_empty() {
                    out.push(
                        "The element 'Profile' has incomplete content. List of possible elements \
                         expected: 'Resource'."
                            .to_owned(),
                    );
                }
            }
            "Resource" => {
                // A sequence of an optional ReadContentType and an optional WriteContentType.
                let mut expected: &[&str] = &["ReadContentType", "WriteContentType"];
                for c in &e.children {
                    match expected.iter().position(|x| x == c) {
                        Some(p) => expected = &expected[p + 1..],
                        None => {
                            out.push(if expected.is_empty() {
                                format!("The element 'Resource' has invalid child element '{c}'.")
                            } else {
                                invalid_child("Resource", c, &expected.join(", "))
                            });
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn invalid_child(parent: &str, child: &str, expected: &str) -> String {
    format!(
        "The element '{parent}' has invalid child element '{child}'. List of possible elements \
         expected: '{expected}'."
    )
}

/// Every element of the document in document order, or the reason it is not well-formed.
fn parse(text: &str) -> Result<Vec<Element>, String> {
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut rest = text;
    let mut closed_root = false;
    while let Some(start) = rest.find('<') {
        if !rest[..start].trim().is_empty() && open.is_empty() {
            return Err("Data at the root level is invalid.".to_owned());
        }
        rest = &rest[start..];
        let skip = |end: &str| rest.find(end).map(|i| i + end.len());
        if rest.starts_with("<?") || rest.starts_with("<!--") || rest.starts_with("<!") {
            let end = if rest.starts_with("<?") {
                "?>"
            } else if rest.starts_with("<!--") {
                "-->"
            } else {
                ">"
            };
            let Some(n) = skip(end) else {
                return Err("Unexpected end of file has occurred.".to_owned());
            };
            rest = &rest[n..];
            continue;
        }
        let Some(end) = rest.find('>') else {
            return Err("Unexpected end of file has occurred.".to_owned());
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            let Some(i) = open.pop() else {
                return Err(format!("Unexpected end tag '{name}'."));
            };
            if elements[i].name != name {
                return Err(format!(
                    "The '{}' start tag does not match the end tag of '{name}'.",
                    elements[i].name
                ));
            }
            closed_root |= open.is_empty();
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name: String = tag
            .trim_end_matches('/')
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_owned();
        if name.is_empty() {
            return Err("Name cannot begin with the '<' character.".to_owned());
        }
        if open.is_empty() && (closed_root || !elements.is_empty()) {
            return Err("There are multiple root elements.".to_owned());
        }
        if let Some(&parent) = open.last() {
            elements[parent].children.push(name.clone());
        }
        elements.push(Element {
            name,
            children: Vec::new(),
        });
        if self_closing {
            closed_root |= open.is_empty();
        } else {
            open.push(elements.len() - 1);
        }
    }
    if !rest.trim().is_empty() && open.is_empty() {
        return Err("Data at the root level is invalid.".to_owned());
    }
    if let Some(&i) = open.last() {
        return Err(format!(
            "Unexpected end of file has occurred. The following elements are not closed: {}.",
            elements[i].name
        ));
    }
    Ok(elements)
}

#[cfg(test)]
mod tests {
    use super::problems;

    #[test]
    fn a_valid_definition_has_no_problems() {
        let xml = r#"<?xml version="1.0"?><Profile name="P"><Resource name="School"><ReadContentType memberSelection="IncludeOnly"><Property name="x"/></ReadContentType><WriteContentType memberSelection="IncludeAll"/></Resource></Profile>"#;
        assert_eq!(problems(xml), Ok(vec![]));
    }

    #[test]
    fn an_unexpected_element_is_named_with_what_belongs_there() {
        let xml = r#"<Profile name="P"><Resource name="School"><test/></Resource></Profile>"#;
        let p = problems(xml).unwrap();
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("'test'") && p[0].contains("ReadContentType"),
            "{p:?}"
        );
        let xml = r#"<Profile name="P"><Resource name="S"><WriteContentType/><ReadContentType/></Resource></Profile>"#;
        assert!(problems(xml).unwrap()[0].contains("invalid child element 'ReadContentType'"));
        assert!(problems(r#"<Profile name="P"/>"#).unwrap()[0].contains("incomplete content"));
        assert!(problems(r#"<Profil name="P"/>"#).unwrap()[0].contains("not declared"));
    }

    #[test]
    fn xml_that_is_not_well_formed_is_refused() {
        for bad in [
            "<Profile name=\"P\"><Resource>",
            "<Profile></Resource>",
            "text",
            "<a/><b/>",
            "",
        ] {
            assert!(problems(bad).is_err(), "{bad}");
        }
    }
}
