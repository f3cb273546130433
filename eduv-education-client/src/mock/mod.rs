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

mod builder;
mod handler;
mod simulator;
mod state;
mod token;

pub use builder::SimulatorBuilder;
pub use simulator::Simulator;
pub use state::{
    BOARD_BGE_CODE, BOARD_MASTER_ID, NO_CONSENT_MASTER_ID, PRIMARY_MASTER_ID, PRIMARY_OIE_CODE,
    SECONDARY_MASTER_ID, SECONDARY_OIE_CODE,
};
pub use token::{TEST_EC_PRIVATE_KEY_PEM, TEST_PRIVATE_KEY_PEM, UNTRUSTED_PRIVATE_KEY_PEM};
