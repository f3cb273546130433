//! The Eduframe webhook header parser and verifier on arbitrary requests: never a panic, and
//! never an acceptance of a delivery that was not signed with the secret.
#![no_main]
use libfuzzer_sys::fuzz_target;

use eduframe_client::webhooks::{SIGNATURE_HEADER, SignatureHeader, Verifier};

fuzz_target!(|data: &[u8]| {
    // The header value, then the body, split at the first 0xFF byte.
    let mut parts = data.splitn(2, |b| *b == 0xff);
    let value = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    if let Ok(text) = std::str::from_utf8(value) {
        let _ = SignatureHeader::parse(text);
    }
    let mut headers = http::HeaderMap::new();
    if let Ok(v) = http::HeaderValue::from_bytes(value) {
        headers.insert(SIGNATURE_HEADER, v);
    }
    let verifier = Verifier::new("fuzz-secret".to_owned()).with_clock(|| 1_700_000_000);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert!(rt.block_on(verifier.verify(&headers, body)).is_err());
});
