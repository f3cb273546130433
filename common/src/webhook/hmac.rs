//! HMAC-SHA256 over the signed bytes, and a constant-time check of a candidate signature.

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
    keyed(secret, message).verify_slice(candidate).is_ok()
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
}
