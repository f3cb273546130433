//! A body that did not decode as the expected type, with the failing path and no record data.

use std::fmt;

use super::excerpt;

/// A body that could not be decoded into the expected type.
///
/// Its message names the serde path, the expected type and the *shape* of the offending value
/// (`a string of 12 characters`), never the value itself: records carry passwords and personal
/// data. The first bytes of the body are kept for a bug report, but only
/// [`body_excerpt`](DecodeError::body_excerpt) shows them; `Display` and `Debug` never do.
#[derive(Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// What was being decoded (an operation or type name).
    pub context: String,
    /// The serde path of the first failure, for example `data[3].name.first`.
    pub path: String,
    /// serde's message with the offending value replaced by its shape.
    pub message: String,
    body_excerpt: String,
    /// The answer's `Content-Type`, where the caller knew it.
    pub content_type: Option<String>,
    /// What the body looked like: JSON that did not fit, an HTML page, or not JSON at all.
    pub received: Received,
    /// What happened during the call whose answer this was: see
    /// [`Error::report`](crate::Error::report).
    pub report: Option<Box<crate::report::CallReport>>,
}

impl DecodeError {
    /// A decode error for `context`, failing at `path` with `message`; the body is cut to an
    /// excerpt, and values quoted in `message` are replaced by their shape.
    pub fn new(
        context: impl Into<String>,
        path: impl Into<String>,
        message: impl AsRef<str>,
        body: &[u8],
    ) -> Self {
        DecodeError {
            context: context.into(),
            path: path.into(),
            message: redact_serde_message(message.as_ref()),
            body_excerpt: excerpt(body),
            content_type: None,
            received: Received::of(body),
            report: None,
        }
    }

    /// The same, knowing the answer's `Content-Type` (a type that is not JSON is reported as
    /// what it is).
    pub fn with_content_type(mut self, content_type: Option<&str>) -> Self {
        self.content_type = content_type.map(str::to_owned);
        if let Some(ct) = content_type
            && self.received == Received::Json
            && !is_json_type(ct)
        {
            self.received = Received::NotJson;
        }
        self
    }

    /// The first [`BODY_EXCERPT_LIMIT`](super::BODY_EXCERPT_LIMIT) bytes of the body. It may hold record data (names,
    /// passwords): log it only where such data may go.
    pub fn body_excerpt(&self) -> &str {
        &self.body_excerpt
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("context", &self.context)
            .field("path", &self.path)
            .field("message", &self.message)
            .field(
                "body_excerpt",
                &format_args!("[{} bytes, see body_excerpt()]", self.body_excerpt.len()),
            )
            .finish()
    }
}

/// What a body that did not decode looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Received {
    /// JSON (or something that starts like it) whose shape is not the expected one.
    Json,
    /// An HTML or XML page: a proxy's or gateway's error page, a login page, a website.
    Html,
    /// Something else that is not JSON (text, an image, an empty body).
    NotJson,
}

impl Received {
    /// What `body` looks like, from its first bytes.
    pub fn of(body: &[u8]) -> Received {
        let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Received::Html,
            Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => Received::Json,
            _ => Received::NotJson,
        }
    }
}

/// Whether a `Content-Type` is JSON (`application/json`, `application/problem+json`, …).
fn is_json_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "text/json"
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.received {
            Received::Json => None,
            Received::Html => Some("an HTML page"),
            Received::NotJson => Some("not JSON"),
        };
        if let Some(what) = what {
            let ct = self
                .content_type
                .as_deref()
                .map(|ct| format!(" (Content-Type: {ct})"))
                .unwrap_or_default();
            return write!(
                f,
                "the response of {} is {what}{ct}, where JSON was expected: most likely a proxy's or gateway's error page, a login page (single sign-on in front of the API), or a base URL that points at a website rather than at the API; check the base URL and what sits between you and the API (`DecodeError::body_excerpt` holds the start of the body)",
                self.context
            );
        }
        write!(
            f,
            "could not decode the response of {} at `{}`: {}; the API may have changed, please report this (`DecodeError::body_excerpt` holds the start of the body)",
            self.context, self.path, self.message
        )
    }
}

/// Replaces the values serde quotes in its messages (`invalid type: string "hunter2", expected
/// u32`) by their shape (`a string of 7 characters`), keeping field names and expected types.
pub fn redact_serde_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        // The Unexpected forms serde writes: string "…" (Debug-quoted), integer `…`,
        // floating point `…`, character `…`, unknown variant `…`.
        let found = [
            ("string \"", Quote::Debug, "a string"),
            ("integer `", Quote::Backtick, "an integer"),
            ("floating point `", Quote::Backtick, "a number"),
            ("character `", Quote::Backtick, "a character"),
            ("unknown variant `", Quote::Backtick, "an unknown variant"),
        ]
        .into_iter()
        .filter_map(|(prefix, q, shape)| rest.find(prefix).map(|i| (i, prefix, q, shape)))
        .min_by_key(|(i, ..)| *i);
        let Some((i, prefix, quote, shape)) = found else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let value_start = i + prefix.len();
        let Some(len) = quoted_len(&rest[value_start..], quote) else {
            // Unterminated: drop the rest rather than risk echoing a value.
            out.push_str(shape);
            return out;
        };
        let chars = rest[value_start..value_start + len].chars().count();
        match quote {
            Quote::Debug => out.push_str(&format!("{shape} of {chars} characters")),
            Quote::Backtick => out.push_str(shape),
        }
        rest = &rest[value_start + len + 1..];
    }
}

#[derive(Clone, Copy)]
enum Quote {
    /// A Rust `Debug` string: ends at the first `"` not escaped by `\`.
    Debug,
    /// Ends at the next backtick.
    Backtick,
}

/// The length of a quoted value up to (not including) its closing quote.
fn quoted_len(s: &str, quote: Quote) -> Option<usize> {
    match quote {
        Quote::Backtick => s.find('`'),
        Quote::Debug => {
            let mut escaped = false;
            for (i, c) in s.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => return Some(i),
                    _ => {}
                }
            }
            None
        }
    }
}
