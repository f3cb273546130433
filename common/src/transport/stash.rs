//! Errors the progenitor glue cannot carry through reqwest's types travel in a stand-in response
//! that names them; the reason a throttled answer was handed back travels in a header.

use super::*;

impl Transport {
    /// The entry point for progenitor's `ClientHooks::exec`: retries, throttling and the 401
    /// refresh, returning the final response (or the last transport error) as reqwest does.
    pub(crate) async fn exec_generated(
        &self,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        match self
            .run(request, operation_id, None, AuthMode::Preauthorized)
            .await
        {
            Ok(resp) => Ok(resp),
            Err(Failure::Reqwest(e, _)) => Err(e),
            // Errors reqwest cannot express (a body over the cap, an operation timeout, a
            // connection cut mid-body) travel to `progenitor::into_error` through the stash.
            Err(Failure::Interrupted(e)) => Ok(self.stash_response(self.interrupted(e))),
            Err(Failure::Error(e)) => Ok(self.stash_response(e)),
        }
    }

    /// Keeps `error` for [`Transport::take_stashed`] and returns a stand-in response that names it
    /// (header [`STASH_HEADER`], and the body's `edu_common_error` member).
    fn stash_response(&self, error: Error) -> reqwest::Response {
        let id = self.stash(error);
        let body = serde_json::json!({ "edu_common_error": id }).to_string();
        let mut resp = http::Response::new(body);
        *resp.status_mut() = STASH_STATUS;
        let headers = resp.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(STASH_HEADER, HeaderValue::from(id));
        reqwest::Response::from(resp)
    }

    /// Keeps an error the generated client cannot carry, under a fresh id.
    pub(crate) fn stash(&self, error: Error) -> u64 {
        let mut stash = self.inner.stash.lock().unwrap_or_else(|p| p.into_inner());
        stash.next += 1;
        let id = stash.next;
        // Bounded: an id never claimed (a caller that dropped the result) ages out.
        if stash.errors.len() >= 256 {
            stash.errors.pop_front();
        }
        stash.errors.push_back((id, error));
        id
    }

    /// Takes back a stashed error.
    #[cfg(feature = "progenitor")]
    pub(crate) fn take_stashed(&self, id: u64) -> Option<Error> {
        let mut stash = self.inner.stash.lock().unwrap_or_else(|p| p.into_inner());
        let at = stash.errors.iter().position(|(i, _)| *i == id)?;
        stash.errors.remove(at).map(|(_, e)| e)
    }
}

/// The status of a stand-in response that carries a stashed error.
pub(crate) const STASH_STATUS: StatusCode = match StatusCode::from_u16(599) {
    Ok(s) => s,
    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
};
/// The header of a stand-in response that names a stashed error.
pub(crate) const STASH_HEADER: &str = "x-edu-common-error";
/// The header the retry loop puts on a throttled response it hands back, saying why.
pub(crate) const GAVE_UP_HEADER: &str = "x-edu-common-gave-up";

/// Errors waiting to be taken back by `progenitor::into_error`.
#[derive(Default)]
pub(crate) struct Stash {
    next: u64,
    errors: std::collections::VecDeque<(u64, Error)>,
}

pub(super) fn encode_reason(reason: RateLimitReason) -> String {
    match reason {
        RateLimitReason::WaitTooLong => "wait-too-long".into(),
        RateLimitReason::AttemptsExhausted { attempts } => format!("attempts={attempts}"),
        RateLimitReason::Deadline => "deadline".into(),
        RateLimitReason::BudgetExhausted => "budget".into(),
        RateLimitReason::NotRetrySafe => "not-retry-safe".into(),
    }
}

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
