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

/// Errors waiting to be taken back by `progenitor::into_error`.
#[derive(Default)]
pub(crate) struct Stash {
    next: u64,
    errors: std::collections::VecDeque<(u64, Error)>,
}
