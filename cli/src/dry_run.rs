//! `--dry-run`: the clients are built to send nothing, so the operation's first request comes
//! back as [`Error::NotSent`] with everything the SDK would have sent (credentials left out).
//! It is shown as an HTTP request, or as a `curl` line (`--dry-run=curl`).

use edu_common::Error;
use edu_common::transport::Preview;
use futures::StreamExt;

use crate::answer::Answer;
use crate::failure::Failure;

/// How a dry run shows the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Style {
    /// Method and URL, `Content-Type`, and the body pretty-printed.
    Http,
    /// A `curl` command line to paste into a shell (credentials to be added).
    Curl,
}

/// The request a dry-run operation made ready: for a listing, its first page's.
pub async fn request(answer: edu_common::Result<Answer>) -> Result<Preview, Failure> {
    let error = match answer {
        Err(e) => e,
        Ok(Answer::Pages(mut pages)) => match pages.next().await {
            Some(Err(e)) => e,
            _ => return Err(nothing_sent()),
        },
        // The operation answered without a request (a check made locally).
        Ok(_) => return Err(nothing_sent()),
    };
    match error {
        Error::NotSent { preview } => Ok(*preview),
        other => Err(Failure::Api(other)),
    }
}

fn nothing_sent() -> Failure {
    Failure::Usage("--dry-run: this command sends no request of its own".into())
}

/// The request as text for a person, every line safe to print on a terminal.
pub fn show(preview: &Preview, style: Style) -> String {
    let url = edu_common::redact::url(&preview.url);
    let body = preview.body.as_ref().map(|(bytes, content_type)| {
        let text = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| match style {
                Style::Http => serde_json::to_string_pretty(&v).ok(),
                Style::Curl => serde_json::to_string(&v).ok(),
            })
            .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned());
        (text, *content_type)
    });
    let mut out = String::new();
    match style {
        Style::Http => {
            out.push_str(&format!("{} {url}\n", preview.method));
            if let Some((text, content_type)) = body {
                out.push_str(&format!("Content-Type: {content_type}\n\n"));
                for line in text.lines() {
                    out.push_str(&crate::terminal::printable(line));
                    out.push('\n');
                }
            }
        }
        Style::Curl => {
            out.push_str("# credentials left out: add the API's Authorization header\n");
            out.push_str(&format!("curl -X {} {}", preview.method, quoted(&url)));
            if let Some((text, content_type)) = body {
                out.push_str(&format!(
                    " -H {} --data-binary {}",
                    quoted(&format!("Content-Type: {content_type}")),
                    quoted(&text)
                ));
            }
            out.push('\n');
        }
    }
    out
}

/// `text` as one shell word: in single quotes, a single quote written `'\''`, and nothing a
/// terminal would act on.
fn quoted(text: &str) -> String {
    format!(
        "'{}'",
        crate::terminal::printable(text).replace('\'', r"'\''")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(body: Option<&str>) -> Preview {
        Preview {
            method: http::Method::POST,
            url: "https://api.example.org/v1/accounts?expand=a%20b"
                .parse()
                .unwrap(),
            body: body.map(|b| (bytes::Bytes::from(b.to_owned()), "application/json")),
        }
    }

    #[test]
    fn a_request_is_shown_with_its_body_pretty_printed() {
        let shown = show(&preview(Some(r#"{"name":"Ada"}"#)), Style::Http);
        assert_eq!(
            shown,
            "POST https://api.example.org/v1/accounts?expand=a+b\nContent-Type: application/json\n\n{\n  \"name\": \"Ada\"\n}\n"
        );
        assert_eq!(
            show(&preview(None), Style::Http),
            "POST https://api.example.org/v1/accounts?expand=a+b\n"
        );
    }

    #[test]
    fn a_curl_line_quotes_every_word_for_the_shell() {
        let shown = show(&preview(Some(r#"{"name":"O'Brien"}"#)), Style::Curl);
        let line = shown.lines().nth(1).unwrap();
        assert_eq!(
            line,
            r#"curl -X POST 'https://api.example.org/v1/accounts?expand=a+b' -H 'Content-Type: application/json' --data-binary '{"name":"O'\''Brien"}'"#
        );
        assert!(shown.starts_with("# credentials left out"));
    }
}
