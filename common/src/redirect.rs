//! Redirects: credentials go to the configured origin and nowhere else, whatever HTTP client
//! carries them.
//!
//! Where the guarantee lives: in the transport, not in a `reqwest::Client`'s redirect policy.
//!
//! - The SDK's own HTTP client follows no redirect. The transport looks at every
//!   `301`, `302`, `303`, `307` and `308` itself: one to the configured origin is
//!   followed by the transport (re-authorized like any attempt, at most [`MAX_HOPS`] in a row);
//!   one to any other origin (host, port or scheme) is not, and the caller gets
//!   [`Error::Redirect`] naming where it pointed.
//! - A caller's own `reqwest::Client` keeps its redirect policy, which the SDK cannot change.
//!   Every request the transport sends through it carries a body the client cannot replay
//!   (the same bytes, as a one-shot stream with its `Content-Length`), so
//!   reqwest's redirect follower hands `301`, `302`, `307` and `308` back unfollowed (for a
//!   `POST`, `307` and `308`) and the transport decides as above. reqwest itself strips
//!   `Authorization` (bearer tokens, Basic client secrets) on every hop to another host, port or
//!   scheme, and drops the body (form-encoded client secrets and assertions) when it turns a
//!   request into a `GET`. What it would still follow is a `303` (any method) or a `301`/`302`
//!   answering a `POST`, carrying other headers: so an API key in a header of its own (such as
//!   Onderwijsregio's `x-api-key`) is only safe through a caller's client that follows no
//!   redirect, and the transport logs a warning when it is given one that does. Build yours with
//!   `.redirect(reqwest::redirect::Policy::none())`: the SDK still follows same-origin redirects
//!   itself. Should a caller's client follow a redirect anyway, its answer is refused
//!   ([`Error::Redirect`] with [`RedirectRefusal::FollowedByHttpClient`]), never decoded.

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use url::Url;

use crate::error::{Error, RedirectRefusal};

/// How many same-origin redirects in a row the transport follows before it gives up.
pub const MAX_HOPS: u32 = 10;

/// The redirect policy of the HTTP client the SDK builds: follow nothing, the transport decides.
pub(crate) fn own_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::none()
}

/// Whether a caller's `reqwest::Client` follows redirects by itself. reqwest does not expose its
/// policy, so this reads the client's `Debug` form (which names the policy unless it is the
/// default, which follows up to 10); anything not recognisably "follow none" counts as following.
pub(crate) fn follows_redirects(client: &reqwest::Client) -> bool {
    let shown = format!("{client:?}");
    !(shown.contains("Policy(None)") || shown.contains("Policy(Limit(0))"))
}

/// Gives `req` a body that an HTTP client's redirect follower cannot replay: the same bytes (none
/// for a request without a body) as a one-shot stream, with an explicit `Content-Length` (so the
/// bytes on the wire are unchanged: a `GET` without a body still goes without one).
pub(crate) fn unreplayable(req: &mut reqwest::Request) {
    let bytes = match req.body_mut().take() {
        None => Bytes::new(),
        Some(body) => match body.as_bytes() {
            Some(b) => Bytes::copy_from_slice(b),
            // Already a stream: no client can replay it.
            None => {
                *req.body_mut() = Some(body);
                return;
            }
        },
    };
    let len = bytes.len();
    if len > 0 || !matches!(*req.method(), Method::GET | Method::HEAD) {
        req.headers_mut()
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    let chunk = (len > 0).then_some(Ok::<_, std::io::Error>(bytes));
    *req.body_mut() = Some(reqwest::Body::wrap_stream(futures::stream::iter(chunk)));
}

/// A same-origin redirect the transport follows: where, and with which method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    /// The absolute URL the `Location` header names.
    pub url: Url,
    /// Whether the request becomes a bodiless `GET` (`303`, and `301`/`302` answering a `POST`,
    /// as browsers and reqwest do); `307` and `308` keep the method and the body.
    pub to_get: bool,
}

impl Hop {
    /// The request to send for this hop, made from the one that was redirected (`None` when
    /// its body cannot be sent again).
    pub fn request_from(&self, template: &reqwest::Request) -> Option<reqwest::Request> {
        let mut next = template.try_clone()?;
        *next.url_mut() = self.url.clone();
        if self.to_get {
            if *next.method() != Method::HEAD {
                *next.method_mut() = Method::GET;
            }
            *next.body_mut() = None;
            for h in [
                http::header::CONTENT_TYPE,
                http::header::CONTENT_LENGTH,
                http::header::CONTENT_ENCODING,
                http::header::TRANSFER_ENCODING,
            ] {
                next.headers_mut().remove(h);
            }
        }
        Some(next)
    }
}

/// True for the statuses that redirect a request (`301`, `302`, `303`, `307`, `308`).
pub(crate) fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Decides what a response to a request sent to `sent` means for redirects, with `allowed` the
/// only origin credentials may go to:
/// - `Err(Error::Redirect)` when the HTTP client already followed a redirect off that origin, or
///   the response redirects off it;
/// - `Ok(Some(hop))` for a redirect within the origin (the transport follows it);
/// - `Ok(None)` for anything else, a redirect without a usable `Location` included (it is then
///   an ordinary non-success answer).
pub(crate) fn next_hop(
    sent: &Url,
    method: &Method,
    status: StatusCode,
    final_url: &Url,
    location: Option<&HeaderValue>,
    allowed: &Url,
) -> Result<Option<Hop>, Error> {
    if !same_origin(final_url, sent) {
        return Err(Error::Redirect {
            report: None,
            status: None,
            location: shown(final_url),
            allowed: origin_of(allowed),
            refusal: RedirectRefusal::FollowedByHttpClient,
        });
    }
    if !is_redirect(status) {
        return Ok(None);
    }
    let Some(url) = location
        .and_then(|v| v.to_str().ok())
        .and_then(|l| sent.join(l.trim()).ok())
    else {
        return Ok(None);
    };
    if !matches!(url.scheme(), "http" | "https") || !same_origin(&url, allowed) {
        return Err(Error::Redirect {
            report: None,
            status: Some(status),
            location: shown(&url),
            allowed: origin_of(allowed),
            refusal: RedirectRefusal::OtherOrigin,
        });
    }
    let to_get = status == StatusCode::SEE_OTHER
        || (matches!(status.as_u16(), 301 | 302) && *method == Method::POST);
    Ok(Some(Hop { url, to_get }))
}

/// For a request to `sent` that failed in the HTTP client: the refusal to report when the client
/// had followed a redirect off the origin by itself (its error names the URL it last tried).
pub(crate) fn failed_elsewhere(e: &reqwest::Error, sent: &Url, allowed: &Url) -> Option<Error> {
    let url = e.url()?;
    (!same_origin(url, sent)).then(|| Error::Redirect {
        report: None,
        status: None,
        location: shown(url),
        allowed: origin_of(allowed),
        refusal: RedirectRefusal::FollowedByHttpClient,
    })
}

/// The error for a chain of same-origin redirects longer than [`MAX_HOPS`].
pub(crate) fn too_many(status: StatusCode, location: &Url, allowed: &Url) -> Error {
    Error::Redirect {
        report: None,
        status: Some(status),
        location: shown(location),
        allowed: origin_of(allowed),
        refusal: RedirectRefusal::TooMany,
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A URL as an error may show it: no query (it may hold a token), no user info.
fn shown(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn hop(status: u16, method: Method, location: &str) -> Result<Option<Hop>, Error> {
        let sent = url("https://api.example.org/v1/courses?page=2");
        next_hop(
            &sent,
            &method,
            StatusCode::from_u16(status).unwrap(),
            &sent,
            Some(&HeaderValue::from_str(location).unwrap()),
            &url("https://api.example.org/v1/"),
        )
    }

    #[test]
    fn same_origin_redirects_are_followed_with_the_right_method() {
        for status in [301, 302, 303, 307, 308] {
            let h = hop(status, Method::GET, "/v1/courses/").unwrap().unwrap();
            assert_eq!(h.url.as_str(), "https://api.example.org/v1/courses/");
            assert_eq!(h.to_get, status == 303, "{status}");
        }
        for (status, to_get) in [
            (301, true),
            (302, true),
            (303, true),
            (307, false),
            (308, false),
        ] {
            let h = hop(status, Method::POST, "next").unwrap().unwrap();
            assert_eq!(h.to_get, to_get, "{status}");
        }
    }

    #[test]
    fn other_host_port_or_scheme_is_refused_and_named() {
        for location in [
            "https://evil.example.net/v1/courses",
            "https://api.example.org:8443/v1/courses",
            "http://api.example.org/v1/courses",
            "//evil.example.net/steal",
            "ftp://api.example.org/x",
        ] {
            let err = hop(302, Method::GET, location).unwrap_err();
            assert!(
                matches!(
                    &err,
                    Error::Redirect {
                        refusal: RedirectRefusal::OtherOrigin,
                        ..
                    }
                ),
                "{location}: {err:?}"
            );
            let text = err.to_string();
            assert!(text.contains("redirect"), "{text}");
            assert!(text.contains("https://api.example.org"), "{text}");
        }
    }

    #[test]
    fn a_redirect_without_a_location_is_an_ordinary_answer() {
        let sent = url("https://api.example.org/v1/x");
        let out = next_hop(
            &sent,
            &Method::GET,
            StatusCode::FOUND,
            &sent,
            None,
            &url("https://api.example.org/"),
        );
        assert_eq!(out.unwrap(), None);
        assert_eq!(
            hop(200, Method::GET, "https://evil.example/").unwrap(),
            None
        );
    }

    #[test]
    fn an_answer_from_another_origin_is_refused() {
        let err = next_hop(
            &url("https://api.example.org/v1/x"),
            &Method::GET,
            StatusCode::OK,
            &url("https://evil.example.net/x?token=secret"),
            None,
            &url("https://api.example.org/"),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("https://evil.example.net/x"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn the_policy_of_a_callers_client_is_read() {
        crate::tls::install_crypto_provider();
        assert!(follows_redirects(&reqwest::Client::new()));
        let none = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        assert!(!follows_redirects(&none));
        let custom = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::custom(|a| a.stop()))
            .build()
            .unwrap();
        assert!(follows_redirects(&custom));
    }

    #[test]
    fn an_unreplayable_body_keeps_its_bytes_and_length() {
        let mut req = reqwest::Request::new(Method::POST, url("https://a.example/x"));
        *req.body_mut() = Some(reqwest::Body::from("a=1"));
        unreplayable(&mut req);
        assert!(req.try_clone().is_none(), "a stream body cannot be cloned");
        assert_eq!(req.headers()[http::header::CONTENT_LENGTH], "3");
        let mut get = reqwest::Request::new(Method::GET, url("https://a.example/x"));
        unreplayable(&mut get);
        assert!(get.headers().get(http::header::CONTENT_LENGTH).is_none());
        let mut delete = reqwest::Request::new(Method::DELETE, url("https://a.example/x"));
        unreplayable(&mut delete);
        assert_eq!(delete.headers()[http::header::CONTENT_LENGTH], "0");
    }
}
