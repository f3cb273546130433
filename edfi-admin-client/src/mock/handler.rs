//! Answering one request: the state's reply, and the routes that answered 2xx noted.

use std::sync::{Arc, Mutex};

use edu_common::mock::{Respond, Response};

use super::BASE_PATH;
use super::state::{State, route_template};
use super::web;

pub(super) struct Handler(pub(super) Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, req: &edu_common::mock::Request) -> Response {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let reply = state.respond(req);
        if (200..300).contains(&reply.status) {
            let path = req.url.path();
            let path = web::canonical_path(path.strip_prefix(BASE_PATH).unwrap_or(path));
            let route = match route_template(&path).as_str() {
                "" => "/".to_owned(),
                r => r.to_owned(),
            };
            state.served.insert((req.method.as_str().to_owned(), route));
        }
        *reply.template
    }
}
