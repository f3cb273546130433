//! Shared OAuth2 tokens are stored sealed: a reader of Redis (a backup, a replica of the Redis
//! server, another service on it, a `MONITOR`) gets nothing it can use.
//!
//! The key is derived with HKDF-SHA256 from the client's credential (its secret included, as
//! every replica of one service holds it already) and the Redis key it is stored under; the
//! value is sealed with XChaCha20-Poly1305 (a random 192-bit nonce each time), the Redis key
//! as associated data, so a value copied under another key, or sealed for another credential,
//! does not open. A value that does not open is treated as absent: the replica fetches a
//! token of its own.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;

/// The version tag in front of every sealed value.
const TAG: &str = "v1.";

/// The key a credential's shared token is sealed with. Its `Debug` shows nothing.
#[derive(Clone)]
pub(crate) struct TokenKey(XChaCha20Poly1305);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey([REDACTED])")
    }
}

impl TokenKey {
    /// The key for the credential `identity` (secret included) in namespace `ns`.
    pub(crate) fn derive(identity: &[u8], ns: &str) -> TokenKey {
        let hk = Hkdf::<Sha256>::new(Some(b"edu-common shared token v1"), identity);
        let mut key = [0u8; 32];
        hk.expand(ns.as_bytes(), &mut key)
            .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 output length"));
        let cipher = XChaCha20Poly1305::new(&key.into());
        key.fill(0);
        TokenKey(cipher)
    }

    /// `plain` sealed for the Redis key `at`: `v1.` and the base64 of nonce and ciphertext.
    pub(crate) fn seal(&self, at: &str, plain: &[u8]) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: at.as_bytes(),
                },
            )
            .unwrap_or_else(|_| unreachable!("sealing a short value cannot fail"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!(
            "{TAG}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
        )
    }

    /// What [`TokenKey::seal`] sealed for the Redis key `at`, or `None` when `value` was not
    /// sealed by this key for that Redis key (or was changed).
    pub(crate) fn open(&self, at: &str, value: &str) -> Option<Vec<u8>> {
        let raw = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(value.strip_prefix(TAG)?)
            .ok()?;
        if raw.len() < 24 {
            return None;
        }
        let (nonce, sealed) = raw.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        self.0
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: at.as_bytes(),
                },
            )
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &[u8] = b"300000:eyJhbGciOiJSUzI1NiJ9.secret-token";

    #[test]
    fn a_sealed_value_holds_no_token_and_opens_only_with_its_key_and_place() {
        let key = TokenKey::derive(b"client-id\0secret-a", "edu:datahub:ns1");
        let sealed = key.seal("edu:datahub:ns1:token", TOKEN);
        assert!(!sealed.contains("secret-token") && !sealed.contains("eyJ"));
        assert_eq!(
            key.open("edu:datahub:ns1:token", &sealed).as_deref(),
            Some(TOKEN)
        );
        // Another secret, another place, a changed value: nothing.
        let other = TokenKey::derive(b"client-id\0secret-b", "edu:datahub:ns1");
        assert_eq!(other.open("edu:datahub:ns1:token", &sealed), None);
        assert_eq!(key.open("edu:datahub:ns2:token", &sealed), None);
        let mut changed = sealed.clone().into_bytes();
        let last = changed.len() - 2;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            key.open(
                "edu:datahub:ns1:token",
                &String::from_utf8(changed).unwrap()
            ),
            None
        );
        // A value in the clear (as stored before sealing) is not a token either.
        assert_eq!(key.open("edu:datahub:ns1:token", "300000:token"), None);
        assert_eq!(key.open("edu:datahub:ns1:token", "v1."), None);
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let key = TokenKey::derive(b"id", "ns");
        assert_ne!(key.seal("k", TOKEN), key.seal("k", TOKEN));
    }

    #[test]
    fn its_debug_shows_nothing() {
        assert_eq!(
            format!("{:?}", TokenKey::derive(b"secret", "ns")),
            "TokenKey([REDACTED])"
        );
    }
}
