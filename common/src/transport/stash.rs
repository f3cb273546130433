//! Errors the progenitor glue cannot carry through reqwest's types travel in a stand-in response
//! that names them (feature `progenitor`).

use super::*;

impl Transport {
    /// The entry point for progenitor's `ClientHooks::exec`: retries, throttling and the 401
    /// refresh, returning the final response (or the last transport error) as reqwest does.
    pub(crate) async fn exec_generated(
        &self,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let (result, report) = self
            .run(request, operation_id, None, AuthMode::Preauthorized)
            .await;
        match result {
            // A success: its report is kept for a body the generated code then cannot read.
            Ok(resp) if resp.status().is_success() => {
                let _ = ANSWERED.try_with(|slot| slot.set(Some(report)));
                Ok(resp)
            }
            // An answer the generated code turns into an error: its report waits in the stash
            // for `progenitor::into_error`, named by a header.
            Ok(mut resp) => {
                let id = self.keep(Stashed::Report(report));
                resp.headers_mut()
                    .insert(REPORT_HEADER, HeaderValue::from(id));
                Ok(resp)
            }
            // Every other failure, reqwest's own included, travels to `progenitor::into_error`
            // through the stash with its report: reqwest's error type cannot carry either.
            Err(failure) => {
                Ok(self.stash_response(self.failure_error(failure).with_report(Some(report))))
            }
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
        self.keep(Stashed::Error(error))
    }

    fn keep(&self, item: Stashed) -> u64 {
        let mut stash = self.inner.stash.lock().unwrap_or_else(|p| p.into_inner());
        stash.next += 1;
        let id = stash.next;
        // Bounded: an id never claimed (a caller that dropped the result) ages out.
        if stash.items.len() >= 256 {
            stash.items.pop_front();
        }
        stash.items.push_back((id, item));
        id
    }

    fn take(&self, id: u64) -> Option<Stashed> {
        let mut stash = self.inner.stash.lock().unwrap_or_else(|p| p.into_inner());
        let at = stash.items.iter().position(|(i, _)| *i == id)?;
        stash.items.remove(at).map(|(_, item)| item)
    }

    /// Takes back a stashed error.
    pub(crate) fn take_stashed(&self, id: u64) -> Option<Error> {
        match self.take(id)? {
            Stashed::Error(e) => Some(e),
            Stashed::Report(_) => None,
        }
    }

    /// Takes back the report of the call whose answer carries `headers`, if one was kept.
    pub(crate) fn take_report(&self, headers: &HeaderMap) -> Option<CallReport> {
        let id = headers.get(REPORT_HEADER)?.to_str().ok()?.parse().ok()?;
        match self.take(id)? {
            Stashed::Report(r) => Some(r),
            Stashed::Error(_) => None,
        }
    }
}

/// The status of a stand-in response that carries a stashed error.
pub(crate) const STASH_STATUS: StatusCode = match StatusCode::from_u16(599) {
    Ok(s) => s,
    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
};
/// The header of a stand-in response that names a stashed error.
pub(crate) const STASH_HEADER: &str = "x-edu-common-error";

/// The header of an error answer that names its call's stashed report.
pub(crate) const REPORT_HEADER: &str = "x-edu-common-report";

/// What waits for `progenitor::into_error`.
enum Stashed {
    Error(Error),
    Report(CallReport),
}

/// Errors and reports waiting to be taken back by `progenitor::into_error`.
#[derive(Default)]
pub(crate) struct Stash {
    next: u64,
    items: std::collections::VecDeque<(u64, Stashed)>,
}

tokio::task_local! {
    /// The report of the generated call in flight, once it was answered with a success: kept
    /// for an error the generated code raises after that (a body it cannot read).
    static ANSWERED: std::cell::Cell<Option<CallReport>>;
}

/// Runs a generated call and returns, beside its outcome, the report of its successful answer
/// (none when the answer was an error, which carries its report through the stash).
pub(crate) async fn with_answered_report<T>(
    call: impl Future<Output = T>,
) -> (T, Option<CallReport>) {
    ANSWERED
        .scope(std::cell::Cell::new(None), async {
            let out = call.await;
            (out, ANSWERED.with(std::cell::Cell::take))
        })
        .await
}
