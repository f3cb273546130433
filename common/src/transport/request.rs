//! Building one request: query, headers, body, and the ways to send it.

use super::*;

/// A response value together with the status and headers it came with.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    /// The decoded body.
    pub value: T,
    /// The status code.
    pub status: StatusCode,
    /// All response headers.
    pub headers: HeaderMap,
    /// What happened during the call: attempts, waits, the request id.
    pub report: CallReport,
}

/// A request being built for [`Transport`]; finish it with one of the `send` methods.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    pub(super) transport: Transport,
    pub(super) method: Method,
    pub(super) url: Result<Url>,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<(Bytes, &'static str)>,
    pub(super) options: CallOptions,
    pub(super) error: Option<Error>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &self.url.as_ref().map(|u| u.path()).ok())
            .field("operation", &self.options.operation)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    /// Adds a query parameter (kept alongside any already in the URL).
    pub fn query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, name: impl Into<String>, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds a typed parameter as the pairs [`query::pairs`](super::query::pairs) writes (a
    /// list repeats the name, `None` sends nothing, an enum its wire name, a date-time in
    /// RFC 3339): how generated operations send their parameters.
    pub fn query_value<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        match super::query::pairs(name, value) {
            Ok(pairs) => self.query.extend(pairs),
            Err(e) => self.error = Some(e),
        }
        self
    }

    /// Adds several query parameters.
    pub fn query_pairs<K: Into<String>, V: ToString>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.query
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.to_string())));
        self
    }

    /// Sets a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => {
                self.error = Some(Error::invalid_input(
                    Some(name),
                    "header name or value is not valid",
                ))
            }
        }
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(b) => self.body = Some((Bytes::from(b), "application/json")),
            Err(e) => {
                self.error = Some(Error::invalid_input(
                    None,
                    format!("the body could not be serialized: {e}"),
                ))
            }
        }
        self
    }

    /// Sends these bytes as the body, as they are, with this `Content-Type` (a body that is
    /// already encoded, such as an XML document or JSON read from a file).
    pub fn raw_body(mut self, body: impl Into<Bytes>, content_type: &'static str) -> Self {
        self.body = Some((body.into(), content_type));
        self
    }

    /// Sends `body` as `application/x-www-form-urlencoded`.
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_urlencoded::to_string(body) {
            Ok(b) => self.body = Some((Bytes::from(b), "application/x-www-form-urlencoded")),
            Err(e) => {
                self.error = Some(Error::invalid_input(
                    None,
                    format!("the form body could not be encoded: {e}"),
                ))
            }
        }
        self
    }

    /// Names the operation in spans and errors.
    pub fn operation(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.options.operation = Some(name.into());
        self
    }

    /// Marks the request as safe (or unsafe) to send more than once, overriding the method's default.
    /// Set it for writes that carry an idempotency key.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.options.retry_safe = Some(safe);
        self
    }

    /// What would be sent, without sending it: the method, the URL with its query, and the
    /// body with its `Content-Type` (credentials are added only when a request is sent, so
    /// none are here). An error is the one sending would have met first (a path parameter, a
    /// body that cannot be written).
    pub fn preview(self) -> Result<Preview> {
        let url = full_url(self.error, self.url, &self.query)?;
        Ok(Preview {
            method: self.method,
            url,
            body: self.body,
        })
    }

    /// Builds the `reqwest::Request` without sending it.
    pub(crate) fn build(self) -> Result<(Transport, reqwest::Request, CallOptions)> {
        let url = full_url(self.error, self.url, &self.query)?;
        let mut req = reqwest::Request::new(self.method, url);
        *req.headers_mut() = self.headers;
        req.headers_mut()
            .entry(http::header::ACCEPT)
            .or_insert(HeaderValue::from_static("application/json"));
        if let Some((body, content_type)) = self.body {
            req.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            );
            *req.body_mut() = Some(reqwest::Body::from(body));
        }
        Ok((self.transport, req, self.options))
    }

    /// Sends the request and returns a successful response; any other status is an error.
    pub async fn send(self) -> Result<reqwest::Response> {
        let (t, req, opts) = self.build()?;
        t.execute(req, &opts).await
    }

    /// Sends the request and returns the final response whatever its status.
    pub async fn send_raw(self) -> Result<reqwest::Response> {
        let (t, req, opts) = self.build()?;
        t.execute_raw(req, &opts).await
    }

    /// Sends the request for its success alone: the body, if any, is read (within the size cap)
    /// and dropped. An error carries the call's report.
    pub async fn send_empty(self) -> Result<()> {
        let (t, req, opts) = self.build()?;
        let (resp, report) = t.execute_reported(req, &opts).await?;
        match t.read_body(resp).await {
            Ok(_) => Ok(()),
            Err(e) => Err(e.with_report(Some(report))),
        }
    }

    /// Sends the request and reads a successful answer's body as it came (within the size cap),
    /// with its status, headers and the call's [`CallReport`]: for a caller that decides how
    /// to read it.
    pub async fn send_bytes(self) -> Result<ApiResponse<Bytes>> {
        let (t, resp, report, _) = self.answered().await?;
        let (status, headers) = (resp.status(), resp.headers().clone());
        with_meta(t.read_body(resp).await, status, headers, report)
    }

    /// Sends the request and decodes a successful JSON response.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        let (t, resp, report, context) = self.answered().await?;
        t.decode(resp, &context)
            .await
            .map_err(|e| e.with_report(Some(report)))
    }

    /// Sends the request and decodes a successful JSON response, keeping its status, headers and
    /// the call's [`CallReport`].
    pub async fn send_json_with_meta<T: DeserializeOwned>(self) -> Result<ApiResponse<T>> {
        let (t, resp, report, context) = self.answered().await?;
        let (status, headers) = (resp.status(), resp.headers().clone());
        with_meta(t.decode(resp, &context).await, status, headers, report)
    }

    /// Sends the request: the successful answer, unread, with its report and what a decode
    /// error would name.
    async fn answered(
        self,
    ) -> Result<(Transport, reqwest::Response, CallReport, Cow<'static, str>)> {
        let (t, req, opts) = self.build()?;
        let (resp, report) = t.execute_reported(req, &opts).await?;
        let context = decode_context(&opts, &resp);
        Ok((t, resp, report, context))
    }
}

/// A value read from an answer with the answer's status, headers and report (an error keeps the
/// report too).
fn with_meta<T>(
    value: Result<T>,
    status: StatusCode,
    headers: HeaderMap,
    report: CallReport,
) -> Result<ApiResponse<T>> {
    match value {
        Ok(value) => Ok(ApiResponse {
            value,
            status,
            headers,
            report,
        }),
        Err(e) => Err(e.with_report(Some(report))),
    }
}

/// What a decode error names: the operation, or the method and path.
fn decode_context(opts: &CallOptions, resp: &reqwest::Response) -> Cow<'static, str> {
    match &opts.operation {
        Some(op) => op.clone(),
        None => Cow::Owned(resp.url().path().to_owned()),
    }
}

/// The URL a request goes to, its query added; the first error met while it was built (a path
/// parameter, a body) wins.
fn full_url(error: Option<Error>, url: Result<Url>, query: &[(String, String)]) -> Result<Url> {
    if let Some(e) = error {
        return Err(e);
    }
    let mut url = url?;
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    Ok(url)
}
