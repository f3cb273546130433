//! The reason a throttled answer was handed back unretried travels in a header of that answer,
//! so the progenitor glue (and anything else that only sees the response) can name it.

use crate::error::RateLimitReason;

/// The header the retry loop puts on a throttled response it hands back, saying why.
pub(crate) const GAVE_UP_HEADER: &str = "x-edu-common-gave-up";

/// The header value for `reason`.
pub(super) fn encode_reason(reason: RateLimitReason) -> String {
    match reason {
        RateLimitReason::WaitTooLong => "wait-too-long".into(),
        RateLimitReason::AttemptsExhausted { attempts } => format!("attempts={attempts}"),
        RateLimitReason::Deadline => "deadline".into(),
        RateLimitReason::BudgetExhausted => "budget".into(),
        RateLimitReason::NotRetrySafe => "not-retry-safe".into(),
    }
}

/// The reason a header value names.
pub(super) fn decode_reason(text: &str) -> Option<RateLimitReason> {
    Some(match text {
        "wait-too-long" => RateLimitReason::WaitTooLong,
        "deadline" => RateLimitReason::Deadline,
        "budget" => RateLimitReason::BudgetExhausted,
        "not-retry-safe" => RateLimitReason::NotRetrySafe,
        other => RateLimitReason::AttemptsExhausted {
            attempts: other.strip_prefix("attempts=")?.parse().ok()?,
        },
    })
}
