//! The security model the simulator starts with: actions, authorization strategies, the
//! resource-claim hierarchy (an ODS/API 7.x-shaped default, or the caller's) with its actions
//! and default strategies, and the seeded claim sets.

use serde_json::{Value, json};

mod ods7;
use ods7::ODS7;

/// `(id, name)` of the actions.
pub(super) const ACTIONS: [(i64, &str); 5] = [
    (1, "Create"),
    (2, "Read"),
    (3, "Update"),
    (4, "Delete"),
    (5, "ReadChanges"),
];

/// `(id, name, display name)` of the authorization strategies.
pub(super) const STRATEGIES: [(i64, &str, &str); 6] = [
    (
        1,
        "NoFurtherAuthorizationRequired",
        "No Further Authorization Required",
    ),
    (
        2,
        "RelationshipsWithEdOrgsAndPeople",
        "Relationships with Education Organizations and People",
    ),
    (
        3,
        "RelationshipsWithEdOrgsOnly",
        "Relationships with Education Organizations only",
    ),
    (4, "NamespaceBased", "Namespace Based"),
    (5, "OwnershipBased", "Ownership Based"),
    (
        6,
        "RelationshipsWithStudentsOnly",
        "Relationships with Students only",
    ),
];

/// A resource claim of the simulator's security model: build a hierarchy of your own with these
/// and [`SimulatorBuilder::resource_claims`](super::SimulatorBuilder::resource_claims), or load
/// one exported from a real deployment with [`ResourceClaim::from_tree`].
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceClaim {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) claim_name: String,
    pub(super) parent: i64,
    pub(super) actions: Vec<String>,
    /// The default authorization strategy's id; 0 = inherited from the parent.
    pub(super) strategy: i64,
}

impl ResourceClaim {
    /// A resource claim with id `id` and resource name `name` (`school`, `educationStandards`),
    /// at the top of the hierarchy, with the four CRUD actions, its claim name
    /// `http://ed-fi.org/ods/identity/claims/{name}` and, as a root, the
    /// `NoFurtherAuthorizationRequired` strategy.
    pub fn new(id: i64, name: impl Into<String>) -> ResourceClaim {
        let name = name.into();
        ResourceClaim {
            id,
            claim_name: format!("{CLAIM_PREFIX}{name}"),
            name,
            parent: 0,
            actions: CRUD.iter().map(|a| (*a).to_owned()).collect(),
            strategy: 1,
        }
    }

    /// Under the claim with id `parent`; it inherits the parent's default strategy unless
    /// [`default_strategy`](Self::default_strategy) says otherwise.
    pub fn parent(mut self, parent: i64) -> ResourceClaim {
        self.parent = parent;
        self.strategy = 0;
        self
    }

    /// The actions it supports (names as the server spells them: `Create`, `Read`, `Update`,
    /// `Delete`, `ReadChanges`; unknown names are dropped).
    pub fn actions<I, S>(mut self, actions: I) -> ResourceClaim
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.actions = actions
            .into_iter()
            .filter_map(|a| canonical_action(a.as_ref()))
            .map(str::to_owned)
            .collect();
        self
    }

    /// Its own default authorization strategy, by name (`NamespaceBased`...); an unknown name
    /// leaves it inheriting.
    pub fn default_strategy(mut self, name: &str) -> ResourceClaim {
        self.strategy = strategy_id(name).unwrap_or(0);
        self
    }

    /// Its claim name (default `http://ed-fi.org/ods/identity/claims/{name}`).
    pub fn claim_name(mut self, uri: impl Into<String>) -> ResourceClaim {
        self.claim_name = uri.into();
        self
    }

    /// The hierarchy in the shape `GET /v2/resourceClaims` answers on a real deployment (an array
    /// of `{id, name, children}`), so a test can run against that deployment's security model.
    /// Each claim gets the CRUD actions; top-level claims the `NoFurtherAuthorizationRequired`
    /// strategy, their descendants inherit it.
    pub fn from_tree(tree: &Value) -> Result<Vec<ResourceClaim>, String> {
        fn walk(nodes: &Value, parent: i64, out: &mut Vec<ResourceClaim>) -> Result<(), String> {
            let Some(list) = nodes.as_array() else {
                return if nodes.is_null() {
                    Ok(())
                } else {
                    Err("`children` must be an array".into())
                };
            };
            for n in list {
                let id = n["id"]
                    .as_i64()
                    .ok_or("a resource claim without a numeric `id`")?;
                let name = n["name"]
                    .as_str()
                    .ok_or("a resource claim without a `name`")?;
                if out.iter().any(|c| c.id == id) {
                    return Err(format!("resource claim id {id} appears twice"));
                }
                let claim = ResourceClaim::new(id, name);
                out.push(if parent == 0 {
                    claim
                } else {
                    claim.parent(parent)
                });
                walk(&n["children"], id, out)?;
            }
            Ok(())
        }
        let mut out = Vec::new();
        walk(tree, 0, &mut out)?;
        if out.is_empty() {
            return Err("the tree has no resource claims".into());
        }
        Ok(out)
    }
}

const CLAIM_PREFIX: &str = "http://ed-fi.org/ods/identity/claims/";

const CRUD: &[&str] = &["Create", "Read", "Update", "Delete"];
const CRUD_AND_CHANGES: &[&str] = &["Create", "Read", "Update", "Delete", "ReadChanges"];

/// The resource-claim hierarchy a simulator serves.
#[derive(Debug, Clone)]
pub(super) struct Hierarchy {
    claims: Vec<ResourceClaim>,
}

impl Hierarchy {
    /// The ODS/API 7.x-shaped default.
    pub(super) fn ods7() -> Hierarchy {
        let claims = ODS7
            .iter()
            .map(|&(id, name, claim, parent, strategy)| {
                let actions = match parent {
                    5 | 6 | 10 => CRUD_AND_CHANGES,
                    _ if [5, 6, 10].contains(&id) => CRUD_AND_CHANGES,
                    _ => CRUD,
                };
                ResourceClaim {
                    id,
                    name: name.to_owned(),
                    claim_name: format!("{CLAIM_PREFIX}{claim}"),
                    parent,
                    actions: actions.iter().map(|a| (*a).to_owned()).collect(),
                    strategy,
                }
            })
            .collect();
        Hierarchy { claims }
    }

    /// A hierarchy of the caller's: parents are checked to exist.
    pub(super) fn custom(claims: Vec<ResourceClaim>) -> Result<Hierarchy, String> {
        for c in &claims {
            if c.parent != 0 && !claims.iter().any(|p| p.id == c.parent) {
                return Err(format!(
                    "resource claim {} ({}) names parent {}, which is not in the hierarchy",
                    c.id, c.name, c.parent
                ));
            }
        }
        Ok(Hierarchy { claims })
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &ResourceClaim> {
        self.claims.iter()
    }

    /// The resource claim with this id.
    pub(super) fn claim(&self, id: i64) -> Option<&ResourceClaim> {
        self.claims.iter().find(|c| c.id == id)
    }

    /// The default strategy the server holds an override of `action` against: the claim's own
    /// for that action, else its parent's (one level up, no further), else none, and then the
    /// server stores no override at all.
    pub(super) fn override_baseline(&self, id: i64, action: &str) -> Option<i64> {
        let own = |c: &ResourceClaim| {
            (c.strategy != 0 && c.actions.iter().any(|a| a.eq_ignore_ascii_case(action)))
                .then_some(c.strategy)
        };
        let c = self.claim(id)?;
        own(c).or_else(|| self.claim(c.parent).and_then(own))
    }

    /// The resource claim with this name (resource names match whatever their case).
    pub(super) fn named(&self, name: &str) -> Option<&ResourceClaim> {
        self.claims
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The strategy `c` has, from itself or the nearest ancestor with one, and whether it is
    /// inherited.
    fn strategy(&self, c: &ResourceClaim) -> (i64, bool) {
        let mut cur = c;
        for _ in 0..64 {
            if cur.strategy != 0 {
                return (cur.strategy, cur.id != c.id);
            }
            match self.claim(cur.parent) {
                Some(p) => cur = p,
                None => break,
            }
        }
        (1, cur.id != c.id)
    }

    /// `GET /v2/resourceClaims/{id}`: with its parent's name and its children.
    pub(super) fn model(&self, c: &ResourceClaim) -> Value {
        let children: Vec<Value> = self
            .claims
            .iter()
            .filter(|x| x.parent == c.id)
            .map(|x| self.model(x))
            .collect();
        json!({
            "id": c.id,
            "name": c.name,
            "parentId": c.parent,
            "parentName": self.claim(c.parent).map(|p| p.name.clone()),
            "children": children,
        })
    }

    /// The claim as a claim set holds it, with these actions enabled.
    pub(super) fn on_claim_set(&self, c: &ResourceClaim, actions: &[Value]) -> Value {
        let (strategy, inherited) = self.strategy(c);
        let defaults = c.per_action(strategy, Some(inherited));
        json!({
            "id": c.id,
            "name": c.name,
            "actions": actions,
            "_defaultAuthorizationStrategiesForCRUD": defaults,
            "authorizationStrategyOverridesForCRUD": [],
            "children": [],
        })
    }

    /// The seeded claim sets: `(name, system reserved, resource claims)`, in the order a real
    /// `EdFi_Admin` database lists them, so the first system-reserved one is `AB Connect` (here
    /// with read on types). On the default
    /// hierarchy: `Ed-Fi Sandbox` (reserved) with types, education organizations, people and
    /// primary relationships, and `SIS Vendor` with types read-only, education organizations,
    /// and people with read on students. On a custom one: both with every top-level claim
    /// (`SIS Vendor` read-only).
    pub(super) fn claim_sets(&self) -> Vec<(&'static str, bool, Value)> {
        let on = |id: i64, actions: &[&str]| {
            self.claim(id)
                .map_or(Value::Null, |c| self.on_claim_set(c, &enabled(actions)))
        };
        if [1, 4, 5, 10, 266]
            .iter()
            .all(|id| self.claim(*id).is_some())
            && self.claim(266).map(|c| c.parent) == Some(5)
        {
            let mut people = on(5, CRUD);
            people["children"] = json!([on(266, &["Read"])]);
            return vec![
                ("AB Connect", true, json!([on(1, &["Read"])])),
                (
                    "Ed-Fi Sandbox",
                    true,
                    json!([on(1, CRUD), on(4, CRUD), on(5, CRUD), on(10, CRUD)]),
                ),
                (
                    "SIS Vendor",
                    false,
                    json!([on(1, &["Read"]), on(4, CRUD), people]),
                ),
            ];
        }
        let roots: Vec<&ResourceClaim> = self.claims.iter().filter(|c| c.parent == 0).collect();
        let all = |read_only: bool| {
            Value::Array(
                roots
                    .iter()
                    .map(|c| {
                        let actions: Vec<&str> = if read_only {
                            vec!["Read"]
                        } else {
                            c.actions.iter().map(String::as_str).collect()
                        };
                        self.on_claim_set(c, &enabled(&actions))
                    })
                    .collect(),
            )
        };
        vec![
            ("AB Connect", true, all(true)),
            ("Ed-Fi Sandbox", true, all(false)),
            ("SIS Vendor", false, all(true)),
        ]
    }
}

/// The action's id (names match whatever their case, as on the server).
pub(super) fn action_id(name: &str) -> Option<i64> {
    ACTIONS
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(id, _)| *id)
}

/// The action's name as the server spells it.
pub(super) fn canonical_action(name: &str) -> Option<&'static str> {
    ACTIONS
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(_, n)| *n)
}

/// The authorization strategy's id.
pub(super) fn strategy_id(name: &str) -> Option<i64> {
    STRATEGIES
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|(id, ..)| *id)
}

fn strategy_name(id: i64) -> &'static str {
    STRATEGIES
        .iter()
        .find(|(i, ..)| *i == id)
        .map_or("", |(_, n, _)| n)
}

impl ResourceClaim {
    /// `GET /v2/resourceClaimActions`.
    pub(super) fn actions_model(&self) -> Value {
        let actions: Vec<Value> = self.actions.iter().map(|a| json!({"name": a})).collect();
        json!({
            "resourceClaimId": self.id,
            "resourceName": self.name,
            "claimName": self.claim_name,
            "actions": actions,
        })
    }

    /// One strategy per action; `inherited` is reported when given (claim-set view).
    fn per_action(&self, strategy: i64, inherited: Option<bool>) -> Vec<Value> {
        self.actions
            .iter()
            .map(|a| {
                let mut s = json!({
                    "authStrategyId": strategy,
                    "authStrategyName": strategy_name(strategy),
                });
                if let Some(i) = inherited {
                    s["isInheritedFromParent"] = json!(i);
                }
                json!({"actionId": action_id(a), "actionName": a, "authorizationStrategies": [s]})
            })
            .collect()
    }

    /// `GET /v2/resourceClaimActionAuthStrategies` (only claims with their own strategy).
    pub(super) fn strategies_model(&self) -> Option<Value> {
        (self.strategy != 0).then(|| {
            let per_action = self.per_action(self.strategy, None);
            json!({
                "resourceClaimId": self.id,
                "resourceName": self.name,
                "claimName": self.claim_name,
                "authorizationStrategiesForActions": per_action,
            })
        })
    }
}

/// An override entry for `authorizationStrategyOverridesForCRUD`.
pub(super) fn override_entry(action: &str, strategies: &[i64]) -> Value {
    let list: Vec<Value> = strategies
        .iter()
        .map(|id| {
            json!({
                "authStrategyId": id,
                "authStrategyName": strategy_name(*id),
                "isInheritedFromParent": false,
            })
        })
        .collect();
    json!({"actionId": action_id(action), "actionName": action, "authorizationStrategies": list})
}

fn enabled(actions: &[&str]) -> Vec<Value> {
    actions
        .iter()
        .map(|a| json!({"name": a, "enabled": true}))
        .collect()
}
