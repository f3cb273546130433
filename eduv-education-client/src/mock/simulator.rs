//! A running simulator: its address, credentials, clients and tokens.

use std::sync::{Arc, Mutex};

use secrecy::SecretString;

use super::state::State;
use super::token::{CLIENT_ID, CLIENT_SECRET, TEST_PRIVATE_KEY_PEM};
use crate::Client;
use crate::auth::PrivateKeyJwt;

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    pub(super) server: edu_common::mock::SimServer,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) faults: edu_common::mock::Faults,
}

impl Simulator {
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
