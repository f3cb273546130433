//! Why a signed delivery was refused.

/// Why a webhook or callback was refused. Each check has its own variant; no message shows a
/// secret, a signature or the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A header the scheme needs is absent, empty or not text.
    #[error(
        "delivery refused: the `{header}` header is missing; it was not sent by the API (or a proxy removed it)"
    )]
    MissingHeader {
        /// The header.
        header: &'static str,
    },
    /// A header is there but does not read as the scheme says.
    #[error("delivery refused: the `{header}` header is malformed ({reason})")]
    Malformed {
        /// The header.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signed timestamp is further from now than the tolerance.
    #[error(
        "delivery refused: its timestamp is {skew_secs} s from now, beyond the {tolerance_secs} s tolerance (a replay, or a clock that is off: check NTP before widening the tolerance)"
    )]
    OutsideTolerance {
        /// How far the timestamp is from now.
        skew_secs: u64,
        /// The tolerance.
        tolerance_secs: u64,
    },
    /// No signature matched any configured secret.
    #[error(
        "delivery refused: no signature matched the configured secrets (the body or timestamp was changed, or it was signed with a secret this verifier lacks: after a rotation configure the new secret and keep the old one as the secondary)"
    )]
    NoMatch,
    /// The same delivery was accepted before, within the tolerance.
    #[error("delivery refused: it was already accepted once (a replay)")]
    Replayed,
}
