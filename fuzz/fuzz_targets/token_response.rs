//! Token responses: never a panic, any lifetime within 1 s ..= MAX_TOKEN_LIFETIME, and an error
//! that never echoes the body (it may hold a token).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match edu_common::auth::parse_token_response(data) {
        Ok(t) => {
            if let Some(life) = t.expires_in {
                assert!(life >= std::time::Duration::from_secs(1));
                assert!(life <= edu_common::auth::MAX_TOKEN_LIFETIME);
            }
        }
        Err(e) => {
            let text = e.to_string();
            if data.len() >= 16 {
                if let Ok(body) = std::str::from_utf8(data) {
                    assert!(!text.contains(body));
                }
            }
        }
    }
});
