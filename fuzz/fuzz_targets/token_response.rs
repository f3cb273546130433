//! Token responses: never a panic, any lifetime within 1 s ..= MAX_TOKEN_LIFETIME, and an error
//! that never echoes the body (it holds the token).
#![no_main]
use libfuzzer_sys::fuzz_target;

const MARKER: &str = "SECRET-TOKEN-7f3a";

fn check(body: &[u8]) {
    match edu_common::auth::parse_token_response(body) {
        Ok(t) => {
            if let Some(life) = t.expires_in {
                assert!(life >= std::time::Duration::from_secs(1));
                assert!(life <= edu_common::auth::MAX_TOKEN_LIFETIME);
            }
        }
        Err(e) => assert!(!format!("{e} {e:?}").contains(MARKER)),
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    // The same bytes after a token: whatever follows, the token is never shown.
    let mut body = format!(r#"{{"access_token":"{MARKER}","#).into_bytes();
    body.extend_from_slice(data);
    check(&body);
});
