//! An RFC 8288 `Link` header parser.
//!
//! It handles what real servers send: several links in one header or in several headers,
//! quoted and unquoted parameters with escapes, commas and semicolons inside `<...>`, several
//! relation types in one `rel`, and relative targets. It never panics: a malformed link-value
//! is skipped and parsing resumes at the next one.
//!
//! ```
//! use edu_common::link::{parse, Link};
//! let links = parse(r#"<https://api.example.org/items?cursor=a,b>; rel="next last", </items?page=1>; rel=first"#);
//! assert_eq!(links.len(), 2);
//! assert!(links[0].has_rel("NEXT"));
//! assert_eq!(links[0].target, "https://api.example.org/items?cursor=a,b");
//! assert_eq!(links[1].param("rel"), Some("first"));
//! ```

use std::fmt;

use http::HeaderMap;
use url::Url;

use crate::error::{Error, Result};

/// One link-value: a target and its parameters, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URI reference between `<` and `>`, unresolved.
    pub target: String,
    /// Parameters as (lower-cased name, unescaped value); a parameter without value has an empty value.
    pub params: Vec<(String, String)>,
}

impl Link {
    /// The first value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The relation types in `rel`, split on white space.
    pub fn rels(&self) -> impl Iterator<Item = &str> {
        self.param("rel").unwrap_or("").split_ascii_whitespace()
    }

    /// True if `rel` names `rel` (case-insensitive, as RFC 8288 requires for registered types).
    pub fn has_rel(&self, rel: &str) -> bool {
        self.rels().any(|r| r.eq_ignore_ascii_case(rel))
    }

    /// The target resolved against `base` (the URL of the request that returned the link).
    pub fn resolve(&self, base: &Url) -> Result<Url> {
        base.join(&self.target).map_err(|e| {
            let shown = self.target.split('?').next().unwrap_or_default();
            Error::Pagination(format!("link target `{shown}` is not a valid URL: {e}"))
        })
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.target)?;
        for (k, v) in &self.params {
            write!(f, "; {k}=\"")?;
            for c in v.chars() {
                if c == '"' || c == '\\' {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str("\"")?;
        }
        Ok(())
    }
}

/// Parses one `Link` header value into its link-values.
pub fn parse(header: &str) -> Vec<Link> {
    parse_bytes(header.as_bytes())
}

/// Parses one `Link` header value given as raw bytes. Bytes that are not ASCII (which
/// `HeaderValue::to_str` refuses) are kept, decoded as UTF-8 where they are UTF-8 and replaced
/// otherwise; a target then resolves with them percent-encoded.
pub fn parse_bytes(header: &[u8]) -> Vec<Link> {
    parse_reporting(header).0
}

/// The link-values, and the raw text of those that could not be parsed.
fn parse_reporting(header: &[u8]) -> (Vec<Link>, Vec<&[u8]>) {
    let mut p = Parser { s: header, i: 0 };
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    loop {
        p.skip(|b| b == b',' || is_ws(b));
        if p.at_end() {
            return (out, skipped);
        }
        let start = p.i;
        match p.link() {
            Some(link) => out.push(link),
            None => {
                p.i = start;
                p.recover();
                skipped.push(&header[start..p.i.min(header.len())]);
            }
        }
    }
}

/// Every link in every `Link` header of `headers` (read as bytes: a non-ASCII byte never hides a link).
pub fn parse_headers(headers: &HeaderMap) -> Vec<Link> {
    headers
        .get_all(http::header::LINK)
        .iter()
        .flat_map(|v| parse_bytes(v.as_bytes()))
        .collect()
}

/// The target of the first link with relation `rel` in `headers`, resolved against `base`.
///
/// When no link has that relation but a part of a `Link` header that could not be parsed
/// mentions it, the answer is an [`Error::Pagination`], not "no such link": a listing must never
/// end silently on a header it could not read.
pub fn find_rel(headers: &HeaderMap, rel: &str, base: &Url) -> Result<Option<Url>> {
    let mut unreadable = None;
    for value in headers.get_all(http::header::LINK) {
        let (links, skipped) = parse_reporting(value.as_bytes());
        if let Some(link) = links.into_iter().find(|l| l.has_rel(rel)) {
            return link.resolve(base).map(Some);
        }
        if let Some(bad) = skipped
            .into_iter()
            .find(|part| contains_ignore_case(part, rel))
        {
            unreadable.get_or_insert_with(|| String::from_utf8_lossy(bad).into_owned());
        }
    }
    match unreadable {
        Some(bad) => Err(Error::Pagination(format!(
            "the Link header has a `{rel}` link that could not be parsed ({}); stopping instead of ending the listing early",
            crate::error::one_line(&bad, 200)
        ))),
        None => Ok(None),
    }
}

fn contains_ignore_case(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip(&mut self, pred: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&pred) {
            self.i += 1;
        }
    }

    fn text(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.s[from..to]).into_owned()
    }

    /// Skips to just after the next comma outside `<...>` and quotes.
    fn recover(&mut self) {
        let mut in_angle = false;
        let mut in_quote = false;
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'\\' if in_quote => self.i += 1,
                b'"' if !in_angle => in_quote = !in_quote,
                b'<' if !in_quote => in_angle = true,
                b'>' if !in_quote => in_angle = false,
                b',' if !in_angle && !in_quote => return,
                _ => {}
            }
        }
    }

    fn link(&mut self) -> Option<Link> {
        if self.peek()? != b'<' {
            return None;
        }
        self.i += 1;
        let start = self.i;
        while self.peek()? != b'>' {
            self.i += 1;
        }
        let target = self.text(start, self.i).trim().to_owned();
        self.i += 1;
        let mut params = Vec::new();
        loop {
            self.skip(is_ws);
            match self.peek() {
                None => break,
                Some(b',') => {
                    self.i += 1;
                    break;
                }
                Some(b';') => {
                    self.i += 1;
                    self.skip(is_ws);
                    if matches!(self.peek(), Some(b',') | None) {
                        continue;
                    }
                    params.push(self.param()?);
                }
                Some(_) => return None,
            }
        }
        Some(Link { target, params })
    }

    fn param(&mut self) -> Option<(String, String)> {
        let start = self.i;
        self.skip(is_token);
        if start == self.i {
            return None;
        }
        let name = self.text(start, self.i).to_ascii_lowercase();
        // RFC 8187 extended parameters such as `title*` keep their star.
        if self.peek() == Some(b'*') {
            self.i += 1;
        }
        self.skip(is_ws);
        if self.peek() != Some(b'=') {
            return Some((name, String::new()));
        }
        self.i += 1;
        self.skip(is_ws);
        let value = if self.peek() == Some(b'"') {
            self.i += 1;
            let mut v = Vec::new();
            loop {
                match self.peek()? {
                    b'"' => {
                        self.i += 1;
                        break;
                    }
                    b'\\' => {
                        self.i += 1;
                        v.push(self.peek()?);
                        self.i += 1;
                    }
                    b => {
                        v.push(b);
                        self.i += 1;
                    }
                }
            }
            String::from_utf8_lossy(&v).into_owned()
        } else {
            let start = self.i;
            self.skip(|b| !(b == b';' || b == b',' || is_ws(b)));
            self.text(start, self.i)
        };
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_style() {
        let h = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        let links = parse(h);
        assert_eq!(links.len(), 2);
        assert!(links[0].has_rel("next"));
        assert!(links[1].has_rel("last"));
    }

    #[test]
    fn commas_and_semicolons_inside_target() {
        let links = parse(r#"<https://x/a?c=1,2;3>; rel=next"#);
        assert_eq!(links[0].target, "https://x/a?c=1,2;3");
        assert!(links[0].has_rel("next"));
    }

    #[test]
    fn escapes_and_multiple_rels() {
        let links = parse(r#"<x>; title="a \"quoted\", title"; rel="prev next""#);
        assert_eq!(links[0].param("title"), Some(r#"a "quoted", title"#));
        assert!(links[0].has_rel("prev") && links[0].has_rel("Next"));
    }

    #[test]
    fn malformed_parts_are_skipped() {
        let links = parse(r#"garbage, <ok>; rel=next, <unterminated; rel=x"#);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].target, "ok");
        assert!(parse("").is_empty());
        assert!(parse(",,,").is_empty());
        assert!(parse(r#"<a>; rel="unterminated"#).is_empty());
    }

    #[test]
    fn relative_targets_resolve_against_request_url() {
        let mut h = HeaderMap::new();
        h.append(
            http::header::LINK,
            r#"</api/v1/courses?cursor=abc>; rel="next""#.parse().unwrap(),
        );
        let base: Url = "https://api.example.nl/api/v1/courses?per_page=10"
            .parse()
            .unwrap();
        let next = find_rel(&h, "next", &base).unwrap().unwrap();
        assert_eq!(
            next.as_str(),
            "https://api.example.nl/api/v1/courses?cursor=abc"
        );
        assert!(find_rel(&h, "prev", &base).unwrap().is_none());
    }

    #[test]
    fn several_headers() {
        let mut h = HeaderMap::new();
        h.append(http::header::LINK, "<a>; rel=prev".parse().unwrap());
        h.append(http::header::LINK, "<b>; rel=next".parse().unwrap());
        assert_eq!(parse_headers(&h).len(), 2);
    }
}
