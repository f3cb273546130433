//! Response compression as a real API's web server does it: the client's `Accept-Encoding`
//! chooses, answers that have a body and no coding of their own are compressed, and the
//! answer says so (`Content-Encoding`, `Vary: Accept-Encoding`).

use bytes::Bytes;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, HeaderValue, VARY};

/// A coding the server can apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Coding {
    Gzip,
    #[cfg(feature = "brotli")]
    Brotli,
}

/// The coding to answer `request` with: brotli when asked for and available, else gzip when
/// asked for, else none. A coding listed with `q=0` is refused, as RFC 9110 says.
pub(super) fn chosen<B>(request: &http::Request<B>) -> Option<Coding> {
    let accepted = |name: &str| {
        request
            .headers()
            .get_all(http::header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';').map(str::trim);
                let coding = parts.next().unwrap_or_default();
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
    };
    #[cfg(feature = "brotli")]
    if accepted("br") {
        return Some(Coding::Brotli);
    }
    accepted("gzip").then_some(Coding::Gzip)
}

/// Compresses `body` with `coding` and says so in `parts`; an empty body, or one that
/// already has a coding, is left as it is.
pub(super) fn apply(coding: Coding, parts: &mut http::response::Parts, body: Bytes) -> Bytes {
    if body.is_empty() || parts.headers.contains_key(CONTENT_ENCODING) {
        return body;
    }
    let (name, compressed) = match coding {
        Coding::Gzip => ("gzip", gzip(&body)),
        #[cfg(feature = "brotli")]
        Coding::Brotli => ("br", brotli(&body)),
    };
    let Some(compressed) = compressed else {
        return body;
    };
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static(name));
    parts
        .headers
        .append(VARY, HeaderValue::from_static("accept-encoding"));
    Bytes::from(compressed)
}

fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}

/// Brotli at quality 5, the middle setting web servers use for answers made on the fly.
#[cfg(feature = "brotli")]
fn brotli(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() / 4);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 5,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
    Some(out)
}
