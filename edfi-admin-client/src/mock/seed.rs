//! The security model the simulator starts with: actions, authorization strategies, a small tree
//! of resource claims with their actions and default strategies, and the seeded claim sets.

use serde_json::{Value, json};

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

/// A resource claim: id, name, parent id (0 for roots), its actions, and (for roots) the default
/// authorization strategy its descendants inherit.
pub(super) struct Claim {
    pub(super) id: i64,
    pub(super) name: &'static str,
    pub(super) parent: i64,
    actions: &'static [&'static str],
    strategy: i64,
}

const CRUD: &[&str] = &["Create", "Read", "Update", "Delete"];

/// The resource-claim tree, parents before children.
pub(super) const CLAIMS: [Claim; 10] = [
    Claim {
        id: 1,
        name: "systemDescriptors",
        parent: 0,
        actions: CRUD,
        strategy: 1,
    },
    Claim {
        id: 2,
        name: "gradeLevelDescriptor",
        parent: 1,
        actions: CRUD,
        strategy: 0,
    },
    Claim {
        id: 3,
        name: "academicSubjectDescriptor",
        parent: 1,
        actions: CRUD,
        strategy: 0,
    },
    Claim {
        id: 4,
        name: "educationOrganizations",
        parent: 0,
        actions: CRUD,
        strategy: 3,
    },
    Claim {
        id: 5,
        name: "school",
        parent: 4,
        actions: CRUD,
        strategy: 0,
    },
    Claim {
        id: 6,
        name: "localEducationAgency",
        parent: 4,
        actions: CRUD,
        strategy: 0,
    },
    Claim {
        id: 7,
        name: "people",
        parent: 0,
        actions: &["Create", "Read", "Update", "Delete", "ReadChanges"],
        strategy: 2,
    },
    Claim {
        id: 8,
        name: "student",
        parent: 7,
        actions: CRUD,
        strategy: 0,
    },
    Claim {
        id: 9,
        name: "staff",
        parent: 7,
        actions: CRUD,
        strategy: 0,
    },
    Claim {
        id: 10,
        name: "studentSchoolAssociation",
        parent: 0,
        actions: CRUD,
        strategy: 2,
    },
];

/// The resource claim with this id.
pub(super) fn claim(id: i64) -> Option<&'static Claim> {
    CLAIMS.iter().find(|c| c.id == id)
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

impl Claim {
    fn claim_name(&self) -> String {
        format!("http://ed-fi.org/ods/identity/claims/{}", self.name)
    }

    /// The root this claim inherits its default strategy from, and whether it inherits.
    fn strategy(&self) -> (i64, bool) {
        match claim(self.parent) {
            Some(parent) if self.strategy == 0 => (parent.strategy().0, true),
            _ => (self.strategy, false),
        }
    }

    /// `GET /v2/resourceClaims/{id}`: with its parent's name and its children.
    pub(super) fn model(&self) -> Value {
        let children: Vec<Value> = CLAIMS
            .iter()
            .filter(|c| c.parent == self.id)
            .map(Claim::model)
            .collect();
        json!({
            "id": self.id,
            "name": self.name,
            "parentId": self.parent,
            "parentName": claim(self.parent).map(|p| p.name),
            "children": children,
        })
    }

    /// `GET /v2/resourceClaimActions`.
    pub(super) fn actions_model(&self) -> Value {
        let actions: Vec<Value> = self.actions.iter().map(|a| json!({"name": a})).collect();
        json!({
            "resourceClaimId": self.id,
            "resourceName": self.name,
            "claimName": self.claim_name(),
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
                "claimName": self.claim_name(),
                "authorizationStrategiesForActions": per_action,
            })
        })
    }

    /// The claim as a claim set holds it, with these actions enabled.
    pub(super) fn on_claim_set(&self, actions: &[Value]) -> Value {
        let (strategy, inherited) = self.strategy();
        let defaults = self.per_action(strategy, Some(inherited));
        json!({
            "id": self.id,
            "name": self.name,
            "actions": actions,
            "_defaultAuthorizationStrategiesForCRUD": defaults,
            "authorizationStrategyOverridesForCRUD": [],
            "children": [],
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

/// The seeded claim sets: `(name, system reserved, resource claims)`.
pub(super) fn claim_sets() -> Vec<(&'static str, bool, Value)> {
    let on = |id: i64, actions: &[&str]| {
        claim(id).map_or(Value::Null, |c| c.on_claim_set(&enabled(actions)))
    };
    let mut people = on(7, CRUD);
    people["children"] = json!([on(8, &["Read"])]);
    vec![
        (
            "Ed-Fi Sandbox",
            true,
            json!([on(1, CRUD), on(4, CRUD), on(7, CRUD), on(10, CRUD)]),
        ),
        (
            "SIS Vendor",
            false,
            json!([on(1, &["Read"]), on(4, CRUD), people]),
        ),
    ]
}
