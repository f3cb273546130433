//! HMAC-SHA256 over the signed bytes, and a constant-time check of candidate signatures.

use ::hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

fn keyed(secret: &SecretString, message: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac
}

/// The HMAC-SHA256 of `message` under `secret`.
pub fn sign(secret: &SecretString, message: &[u8]) -> [u8; 32] {
    keyed(secret, message).finalize().into_bytes().into()
}

/// Whether `candidate` is the HMAC-SHA256 of `message` under `secret`, compared in constant
/// time.
pub fn matches(secret: &SecretString, message: &[u8], candidate: &[u8]) -> bool {
    first_match(secret, message, [candidate]).is_some()
}

/// The index of the first of `candidates` that is the HMAC-SHA256 of `message` under
/// `secret`. The message is hashed once, whatever the number of candidates; each candidate
/// is compared with the MAC in constant time.
pub fn first_match<'c>(
    secret: &SecretString,
    message: &[u8],
    candidates: impl IntoIterator<Item = &'c [u8]>,
) -> Option<usize> {
    let mac = keyed(secret, message);
    candidates
        .into_iter()
        .position(|candidate| mac.clone().verify_slice(candidate).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_case_2() {
        let key = SecretString::from("Jefe");
        let mac = sign(&key, b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(matches(&key, b"what do ya want for nothing?", &mac));
        assert!(!matches(&key, b"what do ya want for nothing!", &mac));
        assert!(!matches(&key, b"what do ya want for nothing?", &mac[..31]));
    }

    #[test]
    fn first_match_finds_the_candidate_among_others() {
        let key = SecretString::from("Jefe");
        let mac = sign(&key, b"m");
        let other = [0u8; 32];
        let candidates: [&[u8]; 3] = [&other, &mac[..31], &mac];
        assert_eq!(first_match(&key, b"m", candidates), Some(2));
        assert_eq!(first_match(&key, b"n", candidates), None);
    }
}
