//! What reaches a terminal: text a server sent (an error's message, a URL in `--verbose`) may
//! hold control characters (an escape sequence that moves the cursor, rewrites the title or
//! the screen); they are shown escaped, never passed on.

/// `text` with every control character (newlines and tabs included: a message is one line)
/// shown as its Rust escape (`\u{1b}`), and Unicode's bidirectional overrides too.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The bidirectional formatting characters (they reorder what a terminal shows).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        let table = [
            ("plain text, één", "plain text, één"),
            ("\u{1b}[2Jcleared", "\\u{1b}[2Jcleared"),
            ("title\u{1b}]0;owned\u{7}", "title\\u{1b}]0;owned\\u{7}"),
            ("two\nlines\r", "two\\nlines\\r"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("abc\u{202e}fed", "abc\\u{202e}fed"),
        ];
        for (text, shown) in table {
            assert_eq!(printable(text), shown);
        }
    }
}
