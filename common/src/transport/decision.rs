//! Whether to send an operation again: one pure function from what an attempt came to and where
//! the operation stands to what the attempt loop does next. Status classes (through
//! [`retry::classify`](crate::retry)), `Retry-After`, transport errors, the request's retry
//! safety, the attempt limit, the deadline and a body that cannot be sent again are all decided
//! here, and tested as a table; the loop only carries the decision out (it spends the retry
//! budget, sleeps or pauses, and reads the body).

use std::time::Duration;

use http::StatusCode;

use crate::error::RateLimitReason;
use crate::retry::{RetryBudget, RetryConfig, Verdict};

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An answer, with its status's verdict.
    Answer {
        /// The status.
        status: StatusCode,
        /// What [`crate::retry::classify`] made of it.
        verdict: Verdict,
    },
    /// No (whole) answer: the connection failed.
    Failed {
        /// The connection was never established: nothing was sent.
        connect: bool,
        /// The attempt timed out.
        timeout: bool,
        /// The request may have reached the server (sending failed, or the answer's body was
        /// cut off).
        maybe_sent: bool,
    },
}

/// Where the operation stands when an attempt ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Standing {
    /// The attempt that just ended (1-based).
    pub(crate) attempt: u32,
    /// Whether sending the request twice is harmless (an idempotent method, or a write with an
    /// idempotency key).
    pub(crate) retry_safe: bool,
    /// Whether the request can be sent again (a streamed body cannot).
    pub(crate) can_resend: bool,
    /// Time left before the operation's deadline.
    pub(crate) until_deadline: Duration,
    /// The backoff before the next attempt, should a failure be retried (chosen by the caller:
    /// full jitter is random, and this function is not).
    pub(crate) backoff: Duration,
}

/// What the attempt loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Hand the answer (or the failure) back; `gave_up` says why a throttled answer was not
    /// retried.
    Done { gave_up: Option<RateLimitReason> },
    /// Send again after `wait`, if the retry budget pays `cost`; if it does not, the answer is
    /// handed back with `if_unpaid`.
    Retry {
        /// How long to wait first.
        wait: Duration,
        /// The server asked for the wait (`Retry-After`, a 429): every request of the client
        /// holds back for it, not only this one.
        server_asked: bool,
        /// What the retry costs from the budget.
        cost: u32,
        /// Why the answer is handed back if the budget cannot pay.
        if_unpaid: Option<RateLimitReason>,
    },
}

/// The decision after an attempt.
pub(crate) fn decide(outcome: Outcome, s: Standing, policy: &RetryConfig) -> Decision {
    let done = |gave_up| Decision::Done { gave_up };
    let attempts_left = s.attempt < policy.max_attempts;
    // A retry after a backoff: within the attempts, before the deadline, with a body to send.
    let back_off = |cost| {
        if attempts_left && s.backoff < s.until_deadline && s.can_resend {
            Decision::Retry {
                wait: s.backoff,
                server_asked: false,
                cost,
                if_unpaid: None,
            }
        } else {
            done(None)
        }
    };
    match outcome {
        Outcome::Answer { status, verdict } => match verdict {
            Verdict::Done => done(None),
            Verdict::ThrottledTooLong(_) => done(Some(RateLimitReason::WaitTooLong)),
            // A 503 with `Retry-After` to a write that is not retry-safe: it may have been done.
            Verdict::Throttled(_) if status == StatusCode::SERVICE_UNAVAILABLE && !s.retry_safe => {
                done(Some(RateLimitReason::NotRetrySafe))
            }
            Verdict::Throttled(wait) => {
                if !attempts_left {
                    done(Some(RateLimitReason::AttemptsExhausted {
                        attempts: s.attempt,
                    }))
                } else if wait >= s.until_deadline {
                    done(Some(RateLimitReason::Deadline))
                } else if !s.can_resend {
                    // A streamed body cannot be sent again: the answer is handed back.
                    done(Some(RateLimitReason::AttemptsExhausted {
                        attempts: s.attempt,
                    }))
                } else {
                    Decision::Retry {
                        wait,
                        server_asked: true,
                        cost: RetryBudget::RETRY_COST,
                        if_unpaid: Some(RateLimitReason::BudgetExhausted),
                    }
                }
            }
            Verdict::Transient if s.retry_safe => back_off(RetryBudget::RETRY_COST),
            Verdict::Transient => done(None),
        },
        Outcome::Failed {
            connect,
            timeout,
            maybe_sent,
        } => {
            // A connection that was never made sent nothing: safe to retry for any request.
            let retryable = connect || (s.retry_safe && (timeout || maybe_sent));
            if !retryable {
                return done(None);
            }
            back_off(if timeout {
                RetryBudget::TIMEOUT_COST
            } else {
                RetryBudget::RETRY_COST
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn standing() -> Standing {
        Standing {
            attempt: 1,
            retry_safe: true,
            can_resend: true,
            until_deadline: 60 * S,
            backoff: S / 2,
        }
    }

    fn answer(status: u16, verdict: Verdict) -> Outcome {
        Outcome::Answer {
            status: StatusCode::from_u16(status).unwrap(),
            verdict,
        }
    }

    fn failed(connect: bool, timeout: bool, maybe_sent: bool) -> Outcome {
        Outcome::Failed {
            connect,
            timeout,
            maybe_sent,
        }
    }

    fn done(gave_up: Option<RateLimitReason>) -> Decision {
        Decision::Done { gave_up }
    }

    fn back_off(cost: u32) -> Decision {
        Decision::Retry {
            wait: S / 2,
            server_asked: false,
            cost,
            if_unpaid: None,
        }
    }

    fn throttled(wait: Duration) -> Decision {
        Decision::Retry {
            wait,
            server_asked: true,
            cost: RetryBudget::RETRY_COST,
            if_unpaid: Some(RateLimitReason::BudgetExhausted),
        }
    }

    #[test]
    fn the_decision_table() {
        use RateLimitReason::*;
        let policy = RetryConfig::default(); // 4 attempts
        let base = standing();
        let write = Standing {
            retry_safe: false,
            ..base
        };
        let last = Standing {
            attempt: policy.max_attempts,
            ..base
        };
        let stream = Standing {
            can_resend: false,
            ..base
        };
        let late = Standing {
            until_deadline: S / 4,
            ..base
        };
        // The boundaries, where `<` against `<=` decides.
        let next_to_last = Standing {
            attempt: policy.max_attempts - 1,
            ..base
        };
        let backoff_at_deadline = Standing {
            until_deadline: base.backoff,
            ..base
        };
        let backoff_just_inside = Standing {
            until_deadline: base.backoff + Duration::from_millis(1),
            ..base
        };
        #[rustfmt::skip]
        let table: Vec<(&str, Outcome, Standing, Decision)> = vec![
            ("200 is done", answer(200, Verdict::Done), base, done(None)),
            ("404 is done", answer(404, Verdict::Done), base, done(None)),
            ("429 waits as asked, for everyone", answer(429, Verdict::Throttled(3 * S)), base, throttled(3 * S)),
            ("429 to a write waits too (nothing was done)", answer(429, Verdict::Throttled(3 * S)), write, throttled(3 * S)),
            ("429 asking too long gives up", answer(429, Verdict::ThrottledTooLong(Some(600 * S))), base, done(Some(WaitTooLong))),
            ("429 on the last attempt", answer(429, Verdict::Throttled(S)), last, done(Some(AttemptsExhausted { attempts: 4 }))),
            ("429 past the deadline", answer(429, Verdict::Throttled(120 * S)), base, done(Some(Deadline))),
            ("429 with a body that cannot be resent", answer(429, Verdict::Throttled(S)), stream, done(Some(AttemptsExhausted { attempts: 1 }))),
            ("503 with Retry-After waits", answer(503, Verdict::Throttled(2 * S)), base, throttled(2 * S)),
            ("503 with Retry-After to a write may have been done", answer(503, Verdict::Throttled(2 * S)), write, done(Some(NotRetrySafe))),
            ("503 without Retry-After backs off", answer(503, Verdict::Transient), base, back_off(RetryBudget::RETRY_COST)),
            ("502 backs off", answer(502, Verdict::Transient), base, back_off(RetryBudget::RETRY_COST)),
            ("502 to a write is handed back", answer(502, Verdict::Transient), write, done(None)),
            ("502 on the last attempt", answer(502, Verdict::Transient), last, done(None)),
            ("502 when the backoff passes the deadline", answer(502, Verdict::Transient), late, done(None)),
            ("502 with a body that cannot be resent", answer(502, Verdict::Transient), stream, done(None)),
            ("refused connection: retried, even a write", failed(true, false, false), write, back_off(RetryBudget::RETRY_COST)),
            ("timeout: retried at the timeout's cost", failed(false, true, false), base, back_off(RetryBudget::TIMEOUT_COST)),
            ("timeout of a write: not retried", failed(false, true, false), write, done(None)),
            ("cut off mid-answer: retried", failed(false, false, true), base, back_off(RetryBudget::RETRY_COST)),
            ("cut off mid-answer, a write: not retried", failed(false, false, true), write, done(None)),
            ("a failure of another kind: not retried", failed(false, false, false), base, done(None)),
            ("refused connection on the last attempt", failed(true, false, false), last, done(None)),
            ("502 on the attempt before the last: one more", answer(502, Verdict::Transient), next_to_last, back_off(RetryBudget::RETRY_COST)),
            ("429 on the attempt before the last: one more", answer(429, Verdict::Throttled(S)), next_to_last, throttled(S)),
            ("502 whose backoff ends exactly at the deadline", answer(502, Verdict::Transient), backoff_at_deadline, done(None)),
            ("502 whose backoff ends just inside the deadline", answer(502, Verdict::Transient), backoff_just_inside, back_off(RetryBudget::RETRY_COST)),
            ("429 asking exactly the time left", answer(429, Verdict::Throttled(60 * S)), base, done(Some(Deadline))),
            ("429 asking just under the time left", answer(429, Verdict::Throttled(60 * S - Duration::from_millis(1))), base, throttled(60 * S - Duration::from_millis(1))),
        ];
        for (name, outcome, standing, expected) in table {
            assert_eq!(decide(outcome, standing, &policy), expected, "{name}");
        }
    }
}
