//! `Retry-After` parsing on arbitrary header bytes: never a panic, and a value the pause can
//! always be added to a clock without overflow (the transport saturates).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = http::HeaderValue::from_bytes(data) {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, v);
        let _ = edu_common::retry::parse_retry_after(&headers, std::time::SystemTime::now());
    }
});
