//! A stateful simulator of an Edu-V Education API supplier (feature `mock`).
//!
//! Three schools: a primary school (PO, `filterByOrgId` defaults to true), a secondary school
//! (VO, defaults to false) and a school that has not given consent (answers `0022`). Each has
//! locations with secondary ids, study offerings (one marked `tobedeleted`) and subject
//! offerings. The token endpoint is as strict as a real OpenID Connect server: it takes only a
//! form body, one client authentication method per request (HTTP Basic, `client_secret` in the
//! form, or a `private_key_jwt` assertion), and verifies assertions signed with either of the
//! client's registered keys (RS256 or ES256): signature, `aud`, `exp` (at most 5 minutes ahead),
//! `iat` (not in the future), `iss`/`sub` and `jti` reuse. Errors are `StatusResponse` bodies; a 401 has no body and a `WWW-Authenticate` header.

mod handler;
mod state;
mod token;

use std::sync::{Arc, Mutex};

use secrecy::SecretString;
use serde_json::json;

use crate::Client;
use crate::auth::PrivateKeyJwt;
use handler::Handler;
use state::State;
pub use state::{
    BOARD_BGE_CODE, BOARD_MASTER_ID, NO_CONSENT_MASTER_ID, PRIMARY_MASTER_ID, PRIMARY_OIE_CODE,
    SECONDARY_MASTER_ID, SECONDARY_OIE_CODE,
};
use token::{CLIENT_ID, CLIENT_SECRET};
pub use token::{TEST_EC_PRIVATE_KEY_PEM, TEST_PRIVATE_KEY_PEM, UNTRUSTED_PRIVATE_KEY_PEM};

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    server: edu_common::mock::SimServer,
    state: Arc<Mutex<State>>,
    faults: edu_common::mock::Faults,
}

/// Configures a [`Simulator`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    port: Option<u16>,
    sparse: bool,
}

impl SimulatorBuilder {
    /// Sparse records: every answer leaves out each property but the record's own identifier
    /// (`studyOfferingId`, `subjectOfferingId`; an organisation keeps none), the sparsest
    /// record the API could send. Code that assumes a field is always there fails in tests
    /// rather than in production; the typed models decode sparse records. Off by default.
    pub fn sparse(mut self, sparse: bool) -> Self {
        self.sparse = sparse;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let bound = edu_common::mock::bind(self.port).await?;
        let mut state = State::new(format!("{}/oauth2/token", bound.uri()));
        state.sparse = self.sparse;
        let state = Arc::new(Mutex::new(state));
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |req| !req.url.path().ends_with("/oauth2/token"),
            |_, message| json!({"status": 99, "statusMessage": message}),
        ));
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts the simulator on any free loopback port.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }

    /// The API base to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("{}/education/v1", self.server.uri())
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.server.uri())
    }

    /// The client id it knows.
    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }

    /// The client secret it accepts.
    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }

    /// The private key whose public half it trusts (test-only).
    pub fn private_key_pem(&self) -> &'static str {
        TEST_PRIVATE_KEY_PEM
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .issued()
    }

    /// Expires every issued token.
    pub fn expire_tokens(&self) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .expire_all();
    }

    /// A client authenticating with the client secret.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .token_url(self.token_url())
            .client_id(CLIENT_ID)
            .client_secret(SecretString::from(CLIENT_SECRET))
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// A client authenticating with `private_key_jwt` and the trusted test key.
    pub fn client_with_private_key_jwt(&self) -> Client {
        let signer = PrivateKeyJwt::from_pem(TEST_PRIVATE_KEY_PEM.as_bytes())
            .unwrap_or_else(|e| unreachable!("the bundled test key is valid: {e}"))
            .key_id("sim-key-1");
        Client::builder()
            .base_url(self.base_url())
            .token_url(self.token_url())
            .client_id(CLIENT_ID)
            .private_key_jwt(signer)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }
}
