//! Reading an answer's body: capped, with the call's report, and decoded as JSON.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::Transport;
use super::options::origin_of;
use crate::error::{Error, Result, TimeoutKind};
use crate::report::CallReport;

impl Transport {
    /// Reads a body, enforcing the size cap. An error carries the call's report when the
    /// response came from [`Transport::execute`] or [`Transport::execute_raw`].
    pub async fn read_body(&self, resp: reqwest::Response) -> Result<Bytes> {
        self.read_body_reported(resp).await.map(|(body, _)| body)
    }

    /// [`Transport::read_body`], with the call's report (taken from the response's extensions)
    /// beside the body, for an error that decoding the body raises later
    /// ([`Error::with_report`]).
    pub async fn read_body_reported(
        &self,
        mut resp: reqwest::Response,
    ) -> Result<(Bytes, Option<CallReport>)> {
        let report = resp.extensions_mut().remove::<CallReport>();
        match self.read_capped(resp).await {
            Ok(body) => Ok((body, report)),
            Err(e) => Err(e.with_report(report)),
        }
    }

    /// Reads a body within the size cap.
    async fn read_capped(&self, resp: reqwest::Response) -> Result<Bytes> {
        let limit = self.inner.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::BodyTooLarge {
                report: None,
                limit,
            });
        }
        match crate::body::read_capped(resp, limit).await {
            Ok((body, false)) => Ok(body),
            Ok((_, true)) => Err(Error::BodyTooLarge {
                report: None,
                limit,
            }),
            Err(e) if e.is_timeout() => Err(Error::Timeout {
                report: None,
                kind: TimeoutKind::Attempt,
                after: self.inner.timeouts.attempt,
            }),
            // The response had begun: the connection dropped mid-body.
            Err(e) => Err(self.interrupted(e)),
        }
    }

    /// [`Error::Interrupted`] for a body cut off by `e`.
    pub(crate) fn interrupted(&self, e: reqwest::Error) -> Error {
        Error::Interrupted {
            report: None,
            origin: e
                .url()
                .map(origin_of)
                .unwrap_or_else(|| origin_of(&self.inner.base_url)),
            source: e.without_url(),
        }
    }

    /// Reads and decodes a JSON body; `context` names what was expected in a decode error.
    pub async fn decode<T: DeserializeOwned>(
        &self,
        resp: reqwest::Response,
        context: &str,
    ) -> Result<T> {
        let content_type = resp
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (body, report) = self.read_body_reported(resp).await?;
        Error::decode_json(context, &body).map_err(|e| {
            e.with_content_type(content_type.as_deref())
                .with_report(report)
        })
    }
}
