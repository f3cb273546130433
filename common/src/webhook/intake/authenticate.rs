//! What an intake route needs of a verifier.

use futures::future::BoxFuture;
use http::HeaderMap;

use crate::webhook::SignatureError;

/// A verifier an intake route checks deliveries with. Implemented by
/// `eduframe_client::webhooks::Verifier` and `onderwijsregio_client::callbacks::Verifier` (their
/// `intake` feature).
pub trait Authenticate: Send + Sync + 'static {
    /// The API the deliveries come from (`eduframe`, `onderwijsregio`): each delivery's
    /// [`api`](super::Delivery::api).
    fn api(&self) -> &'static str;

    /// Checks the headers, timestamp and signature over the raw `body` received at
    /// `path_and_query`, without a replay guard: the store's refusal of an id it holds is the
    /// intake's replay guard, and it remembers a delivery only once it is stored.
    fn authenticate<'a>(
        &'a self,
        path_and_query: &'a str,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> BoxFuture<'a, Result<(), SignatureError>>;

    /// The delivery's id: the same for a sender's retry of the same delivery (signed anew, with
    /// another timestamp). By default [`body_delivery_id`].
    fn delivery_id(&self, _headers: &HeaderMap, body: &[u8]) -> String {
        body_delivery_id(self.api(), body)
    }
}

/// The SHA-256 of the API's name and the body, as 32 hexadecimal digits: a sender's retry
/// carries the same body, a replay too, and two different deliveries differ in their body (an
/// event names its record and its data; a callback its mutation).
pub fn body_delivery_id(api: &str, body: &[u8]) -> String {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    hash.update(api.as_bytes());
    hash.update([0]);
    hash.update(body);
    hex::encode(&hash.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_depends_on_the_api_and_the_body_only() {
        let a = body_delivery_id("eduframe", b"{\"id\":1}");
        assert_eq!(a, body_delivery_id("eduframe", b"{\"id\":1}"));
        assert_ne!(a, body_delivery_id("eduframe", b"{\"id\":2}"));
        assert_ne!(a, body_delivery_id("onderwijsregio", b"{\"id\":1}"));
        assert_eq!(a.len(), 32);
    }
}
