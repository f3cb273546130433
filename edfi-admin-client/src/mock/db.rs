//! One tenant's Admin and Security databases, and a request as the routes read it.

use serde_json::{Value, json};

use super::reply::{Query, Table};
use super::seed;

/// One tenant's Admin and Security databases.
pub(super) struct Db {
    pub(super) vendors: Table,
    pub(super) applications: Table,
    pub(super) api_clients: Table,
    pub(super) claim_sets: Table,
    pub(super) profiles: Table,
    pub(super) ods_instances: Table,
    pub(super) contexts: Table,
    pub(super) derivatives: Table,
    pub(super) keys_issued: u64,
    pub(super) reset_enabled: bool,
    /// The security model's resource claims.
    pub(super) claims: seed::Hierarchy,
}

impl Db {
    pub(super) fn new(reset_enabled: bool, claims: seed::Hierarchy) -> Db {
        let mut db = Db {
            vendors: Table::new(
                "vendor",
                "vendors",
                &[
                    ("Company", "company"),
                    ("ContactName", "contactName"),
                    ("ContactEmailAddress", "contactEmailAddress"),
                    ("NamespacePrefixes", "namespacePrefixes"),
                    ("Id", "id"),
                ],
                &[
                    ("company", "company"),
                    ("contactName", "contactName"),
                    ("contactEmailAddress", "contactEmailAddress"),
                ],
            ),
            applications: Table::new(
                "application",
                "applications",
                &[
                    ("ApplicationName", "applicationName"),
                    ("ClaimSetName", "claimSetName"),
                    ("Id", "id"),
                ],
                &[
                    ("id", "id"),
                    ("applicationName", "applicationName"),
                    ("claimsetName", "claimSetName"),
                ],
            ),
            api_clients: Table::new("apiclient", "apiclients", &[("Id", "id")], &[]),
            claim_sets: Table::new(
                "claimset",
                "claimSets",
                &[("Name", "name"), ("Id", "id")],
                &[("id", "id"), ("name", "name")],
            ),
            profiles: Table::new(
                "profile",
                "profiles",
                &[("Name", "name"), ("Id", "id")],
                &[("id", "id"), ("name", "name")],
            ),
            ods_instances: Table::new(
                "odsInstance",
                "odsInstances",
                &[
                    ("Name", "name"),
                    ("InstanceType", "instanceType"),
                    ("Id", "id"),
                ],
                &[
                    ("id", "id"),
                    ("name", "name"),
                    ("instanceType", "instanceType"),
                ],
            ),
            contexts: Table::new(
                "odsInstanceContext",
                "odsInstanceContexts",
                &[
                    ("ContextKey", "contextKey"),
                    ("ContextValue", "contextValue"),
                    ("Id", "id"),
                ],
                &[],
            ),
            derivatives: Table::new(
                "odsInstanceDerivative",
                "odsInstanceDerivatives",
                &[
                    ("DerivativeType", "derivativeType"),
                    ("OdsInstanceId", "odsInstanceId"),
                    ("Id", "id"),
                ],
                &[],
            ),
            keys_issued: 0,
            reset_enabled,
            claims,
        };
        for (name, reserved, claims) in db.claims.claim_sets() {
            db.claim_sets.insert(
                json!({"name": name, "_isSystemReserved": reserved, "resourceClaims": claims}),
            );
        }
        db.ods_instances.insert(json!({
            "name": "EdFi_Ods",
            "instanceType": "OdsInstance",
            "connectionString": "Host=localhost;Database=EdFi_Ods;Username=postgres",
        }));
        db
    }

    /// A new key and secret.
    pub(super) fn new_key(&mut self) -> (String, String) {
        self.keys_issued += 1;
        let n = self.keys_issued;
        let mix = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (
            format!("key{n:06}{:08x}", mix >> 32),
            format!("Sim{mix:016x}secret{n:06}"),
        )
    }
}

/// A parsed request under `/v2/`.
pub(super) struct Req<'a> {
    pub(super) method: &'a str,
    pub(super) parts: Vec<&'a str>,
    pub(super) q: Query,
    pub(super) body: Value,
}
