//! A stateful simulator of the Ed-Fi Admin API 2.3 (feature `mock`).
//!
//! It serves every operation of the 2.3 spec with the real server's behaviour (from its code, not
//! just the spec): 30-minute tokens for form client credentials with the
//! `edfi_admin_api/full_access` scope, registration with the secret rules, per-table ids,
//! relative `Location` headers, offset/limit paging with `orderBy` and `direction`, the
//! per-resource filters, the validation, not-found and `{message}` bodies, and a seeded security
//! model (actions, authorization strategies, a tree of resource claims, two claim sets, one ODS
//! instance). In multi-tenant mode ([`SimulatorBuilder::tenants`]) every tenant has its own data,
//! clients and tokens, selected by the `tenant` header. Unknown routes answer an empty 404.
//!
//! Requests are read as ASP.NET Core's web defaults read them on the real server: routes ignore
//! case and a trailing slash (`/V2/Profiles/`), body properties match in any case
//! (`{"Company": …}`) and integers may come as JSON strings (`"vendorId": "225"`), action and
//! tenant names match in any case, and a `/v1/…` route answers 400 `Wrong API version for this
//! instance mode.`; validation reports every failure of a request at once.
//!
//! ```
//! # async fn demo() -> edu_common::Result<()> {
//! use edfi_admin_client::mock::Simulator;
//! use edfi_admin_client::NewVendor;
//! let sim = Simulator::start().await;
//! let client = sim.client();
//! let id = client.vendors().create(&NewVendor::new("Acme", "Ann", "ann@acme.example")).await?;
//! assert_eq!(client.vendors().get(id).await?.company.as_deref(), Some("Acme"));
//! # Ok(()) }
//! ```

mod applications;
mod builder;
mod claim_sets;
mod db;
mod handler;
mod instances;
mod profile_xml;
mod reply;
mod seed;
mod simulator;
mod state;
mod web;

pub use builder::SimulatorBuilder;
pub use seed::ResourceClaim;
pub use simulator::Simulator;

pub(super) const CLIENT_ID: &str = "edfi-sim-admin";
pub(super) const CLIENT_SECRET: &str = "Sim-Secret-0123456789-abcdefghijkl!";
pub(super) const BASE_PATH: &str = "/adminapi";
