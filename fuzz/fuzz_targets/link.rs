//! The `Link` parser on arbitrary header bytes: never a panic; a `next` link is found or a
//! typed error says why not.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = edu_common::link::parse_bytes(data);
    if let Ok(v) = http::HeaderValue::from_bytes(data) {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::LINK, v);
        let base: url::Url = "https://api.example.org/v1/items?per_page=10".parse().unwrap();
        let _ = edu_common::link::find_rel(&headers, "next", &base);
    }
});
