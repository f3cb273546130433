//! The callback verifier on arbitrary requests: never a panic, and never an acceptance of a
//! request that was not signed with the secret.
#![no_main]
use libfuzzer_sys::fuzz_target;

use onderwijsregio_client::callbacks::{NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, Verifier};

fuzz_target!(|data: &[u8]| {
    // Split the input into a path, three header values and a body at 0xFF bytes.
    let mut parts = data.split(|b| *b == 0xff);
    let path = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let mut headers = http::HeaderMap::new();
    for name in [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER] {
        if let Some(v) = parts.next().and_then(|p| http::HeaderValue::from_bytes(p).ok()) {
            headers.insert(name, v);
        }
    }
    let body: Vec<u8> = parts.flatten().copied().collect();
    let verifier = Verifier::new("fuzz-secret").with_clock(|| 1_700_000_000);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert!(rt.block_on(verifier.verify(&path, &headers, &body)).is_err());
});
