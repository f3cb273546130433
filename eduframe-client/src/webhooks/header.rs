//! Reading the `eduframe-signature-v1` header.

use edu_common::webhook::SignatureError;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "eduframe-signature-v1";

/// The most signatures one header may carry (Eduframe sends one per secret: two at most).
const MAX_SIGNATURES: usize = 8;

/// The parts of an `eduframe-signature-v1` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The `t` value as sent (it is part of the signed bytes).
    pub timestamp_text: String,
    /// `t` as Unix seconds.
    pub timestamp: u64,
    /// Each `signature`, decoded (32 bytes each).
    pub signatures: Vec<[u8; 32]>,
}

impl SignatureHeader {
    /// Reads `t=<unix seconds>, signature=<64 hex>[, signature=<64 hex>]`. Parts are separated
    /// by commas with optional spaces; parts with other names are skipped (room for a later
    /// version); `t` must come exactly once and at least one signature must be there.
    ///
    /// ```
    /// use eduframe_client::webhooks::SignatureHeader;
    /// let sig = "ab".repeat(32);
    /// let h = SignatureHeader::parse(&format!("t=1700000000, signature={sig}")).unwrap();
    /// assert_eq!((h.timestamp, h.signatures.len()), (1_700_000_000, 1));
    /// assert!(SignatureHeader::parse("t=1700000000").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<SignatureHeader, SignatureError> {
        let malformed = |reason| SignatureError::Malformed {
            header: SIGNATURE_HEADER,
            reason,
        };
        let mut timestamp: Option<(&str, u64)> = None;
        let mut signatures = Vec::new();
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, text) = part
                .split_once('=')
                .ok_or(malformed("a part is not `name=value`"))?;
            match name.trim() {
                "t" => {
                    if timestamp.is_some() {
                        return Err(malformed("`t` is given more than once"));
                    }
                    let text = text.trim();
                    let secs = text
                        .parse::<u64>()
                        .ok()
                        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or(malformed("`t` is not a Unix time in seconds"))?;
                    timestamp = Some((text, secs));
                }
                "signature" => {
                    if signatures.len() == MAX_SIGNATURES {
                        return Err(malformed("more signatures than any webhook has secrets"));
                    }
                    let mut sig = [0u8; 32];
                    hex::decode_to_slice(text.trim(), &mut sig)
                        .map_err(|_| malformed("a signature is not 64 hexadecimal digits"))?;
                    signatures.push(sig);
                }
                _ => {}
            }
        }
        let (text, secs) = timestamp.ok_or(malformed("there is no `t=` timestamp"))?;
        if signatures.is_empty() {
            return Err(malformed("there is no `signature=`"));
        }
        Ok(SignatureHeader {
            timestamp_text: text.to_owned(),
            timestamp: secs,
            signatures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sig(b: u8) -> String {
        hex::encode([b; 32])
    }

    #[test]
    fn reads_the_documented_forms() {
        let h = SignatureHeader::parse(&format!(
            "t=1700000000,signature={},  signature={}",
            sig(1),
            sig(2)
        ))
        .unwrap();
        assert_eq!(h.timestamp_text, "1700000000");
        assert_eq!(h.signatures, vec![[1; 32], [2; 32]]);
        let upper = sig(0xab).to_uppercase();
        let h = SignatureHeader::parse(&format!("signature={upper}, v2=x, t=5")).unwrap();
        assert_eq!((h.timestamp, h.signatures[0]), (5, [0xab; 32]));
    }

    #[test]
    fn refuses_what_is_not_the_scheme() {
        for value in [
            String::new(),
            "t=1".into(),
            format!("signature={}", sig(1)),
            format!("t=1, t=2, signature={}", sig(1)),
            format!("t=-1, signature={}", sig(1)),
            format!("t=+1, signature={}", sig(1)),
            format!("t=1e3, signature={}", sig(1)),
            "t=1, signature=abc".into(),
            format!("t=1, signature={}0", sig(1)),
            format!("t=1 signature={}", sig(1)),
            format!("t=1, {}", sig(1)),
            format!("t=1{}", format!(", signature={}", sig(1)).repeat(9)),
        ] {
            assert!(
                matches!(
                    SignatureHeader::parse(&value),
                    Err(SignatureError::Malformed { .. })
                ),
                "{value}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_text_parses_or_is_refused_without_panicking(value in ".{0,300}") {
            let _ = SignatureHeader::parse(&value);
        }

        #[test]
        fn what_a_signer_writes_reads_back(t in any::<u64>(), sigs in prop::collection::vec(any::<[u8; 32]>(), 1..=2)) {
            let mut value = format!("t={t}");
            for s in &sigs {
                value.push_str(&format!(", signature={}", hex::encode(s)));
            }
            let h = SignatureHeader::parse(&value).unwrap();
            prop_assert_eq!(h.timestamp, t);
            prop_assert_eq!(h.signatures, sigs);
        }
    }
}
