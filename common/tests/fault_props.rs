//! Property versions of the fuzz targets under `fuzz/` (issue #12): whatever a server sends,
//! these parsers return a value or a typed error, never panic, and never echo a secret.

use std::time::{Duration, SystemTime};

use edu_common::auth::{MAX_TOKEN_LIFETIME, parse_token_response};
use edu_common::error::redact_serde_message;
use edu_common::link::{find_rel, parse_bytes};
use edu_common::retry::parse_retry_after;
use proptest::prelude::*;

fn retry_after(bytes: &[u8]) -> Option<Duration> {
    let mut h = http::HeaderMap::new();
    h.insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_bytes(bytes).ok()?,
    );
    parse_retry_after(&h, SystemTime::now())
}

proptest! {
    #[test]
    fn link_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_bytes(&bytes);
        if let Ok(v) = http::HeaderValue::from_bytes(&bytes) {
            let mut h = http::HeaderMap::new();
            h.insert(http::header::LINK, v);
            let base: url::Url = "https://h.example/a?b=c".parse().unwrap();
            let _ = find_rel(&h, "next", &base);
        }
    }

    #[test]
    fn a_next_link_with_any_bytes_in_its_target_is_found(
        target in prop::collection::vec(any::<u8>().prop_filter("no delimiter", |b| !matches!(b, b'>' | b'\r' | b'\n' | 0 | 127) && *b >= 32), 1..40)
    ) {
        let mut header = b"<".to_vec();
        header.extend_from_slice(&target);
        header.extend_from_slice(b">; rel=\"next\"");
        let links = parse_bytes(&header);
        prop_assert_eq!(links.len(), 1);
        prop_assert!(links[0].has_rel("next"));
    }

    #[test]
    fn retry_after_never_panics_and_large_numbers_are_never_absent(digits in "[0-9]{1,40}") {
        let d = retry_after(digits.as_bytes());
        prop_assert!(d.is_some());
        if let Ok(n) = digits.parse::<u64>() {
            prop_assert_eq!(d, Some(Duration::from_secs(n)));
        } else {
            prop_assert_eq!(d, Some(Duration::MAX));
        }
    }

    #[test]
    fn retry_after_any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = retry_after(&bytes);
    }

    #[test]
    fn token_responses_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_token_response(&bytes);
    }

    #[test]
    fn expires_in_is_one_rule_for_numbers_and_strings(n in any::<f64>()) {
        let as_number = serde_json::json!({"access_token": "t", "expires_in": n}).to_string();
        let as_text = serde_json::json!({"access_token": "t", "expires_in": n.to_string()}).to_string();
        let a = parse_token_response(as_number.as_bytes()).map(|t| t.expires_in);
        let b = parse_token_response(as_text.as_bytes()).map(|t| t.expires_in);
        if let (Ok(a), Ok(b)) = (a, b) {
            // A non-finite number is `null` in JSON: "not said", as is its text form.
            if n.is_finite() {
                prop_assert_eq!(a, b);
            }
            for life in [a, b].into_iter().flatten() {
                prop_assert!(life >= Duration::from_secs(1) && life <= MAX_TOKEN_LIFETIME);
            }
            if n <= 0.0 {
                prop_assert_eq!(a, None);
                prop_assert_eq!(b, None);
            }
        }
    }

    #[test]
    fn redacted_serde_messages_never_hold_the_value(value in "[a-zA-Z0-9 \"\\\\`]{1,30}") {
        let msg = format!("invalid type: string {value:?}, expected u32");
        let shown = redact_serde_message(&msg);
        prop_assert!(!shown.contains(&format!("{value:?}")), "{}", shown);
        prop_assert!(shown.ends_with("expected u32"), "{}", shown);
    }
}
