//! Reading response bodies with a cap: one leaf that the transport and the token fetcher share.

use bytes::{Bytes, BytesMut};

/// Reads a body up to `cap` bytes: the bytes, and whether there were more (then only the first
/// `cap` are kept and the rest is not read). One read when the length is known and fits;
/// otherwise (a compressed answer: its decoded length is unknown) the chunks are kept as they
/// come and copied once at the end, not into a buffer that doubles as it grows.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
) -> std::result::Result<(Bytes, bool), reqwest::Error> {
    if resp.content_length().is_some_and(|n| n <= cap as u64) {
        // hyper enforces a declared length: one read, usually no copy.
        return Ok((resp.bytes().await?, false));
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut len = 0usize;
    while let Some(chunk) = resp.chunk().await? {
        if len + chunk.len() > cap {
            chunks.push(chunk.slice(..cap - len));
            return Ok((concat(chunks, cap), true));
        }
        len += chunk.len();
        chunks.push(chunk);
    }
    Ok((concat(chunks, len), false))
}

/// `chunks` (`len` bytes in all) as one buffer: the chunk itself when there is one.
fn concat(mut chunks: Vec<Bytes>, len: usize) -> Bytes {
    if chunks.len() <= 1 {
        return chunks.pop().unwrap_or_default();
    }
    let mut buf = BytesMut::with_capacity(len);
    for chunk in &chunks {
        buf.extend_from_slice(chunk);
    }
    buf.freeze()
}
