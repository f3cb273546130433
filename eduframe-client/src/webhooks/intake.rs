//! The verifier as an intake route's (feature `intake`): see `edu_common::webhook::intake`.

use edu_common::webhook::SignatureError;
use edu_common::webhook::intake::Authenticate;
use futures::future::BoxFuture;
use http::HeaderMap;

use super::Verifier;

impl Authenticate for Verifier {
    fn api(&self) -> &'static str {
        "eduframe"
    }

    fn authenticate<'a>(
        &'a self,
        _path_and_query: &'a str,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> BoxFuture<'a, Result<(), SignatureError>> {
        let checked = self.verify_signature(headers, body).map(|_| ());
        Box::pin(std::future::ready(checked))
    }
}
