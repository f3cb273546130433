//! Claim sets (CRUD, copy, import, export, their resource claims' actions and authorization
//! strategy overrides) and the read-only security model: actions, authorization strategies,
//! resource claims and their actions and default strategies.

use serde_json::{Value, json};

use super::db::{Db, Req};
use super::reply::{
    Answer, Errors, Reply, cut, deleted, not_found, ok, ok_empty, page, param, same, text,
    validation,
};
use super::seed::{self, ACTIONS, Hierarchy, STRATEGIES};

pub(super) fn route(db: &mut Db, r: &Req) -> Option<Reply> {
    let answer = match (r.method, r.parts.as_slice()) {
        ("GET", ["actions"]) => {
            let rows = ACTIONS
                .iter()
                .map(|(id, name)| json!({"id": id, "name": name, "uri": format!("http://ed-fi.org/odsapi/actions/{}", name.to_ascii_lowercase())}))
                .filter(|a| matches(r, a, &[("id", "id"), ("name", "name")]))
                .collect();
            Ok(page(rows, &r.q, &[("Name", "name"), ("Uri", "uri"), ("Id", "id")]))
        }
        ("GET", ["authorizationStrategies"]) => {
            let rows = STRATEGIES
                .iter()
                .map(|(id, name, display)| json!({"id": id, "name": name, "displayName": display}))
                .collect();
            Ok(page(rows, &r.q, &[("Name", "name"), ("DisplayName", "displayName"), ("Id", "id")]))
        }
        ("GET", ["resourceClaims"]) => {
            // Paging applies to the top-level claims; `id` and `name` filter the page afterwards.
            let roots = db.claims.iter().filter(|c| c.parent == 0).map(|c| db.claims.model(c)).collect();
            let order = [("Name", "name"), ("ParentName", "parentName"), ("ParentId", "parentId"), ("Id", "id")];
            cut(roots, &r.q, &order).map(|rows| {
                let keep = |c: &Value| matches(r, c, &[("id", "id"), ("name", "name")]);
                ok(rows.into_iter().filter(keep).collect::<Vec<_>>())
            })
        }
        ("GET", ["resourceClaims", id]) => id
            .parse()
            .ok()
            .and_then(|id| db.claims.claim(id))
            .map(|c| ok(db.claims.model(c)))
            .ok_or_else(|| not_found("resourceclaim", id)),
        ("GET", ["resourceClaimActions"]) => {
            let rows = db
                .claims
                .iter()
                .map(|c| c.actions_model())
                .filter(|c| matches(r, c, &[("resourceName", "resourceName")]))
                .collect();
            Ok(page(rows, &r.q, &[("ResourceClaimId", "resourceClaimId"), ("ResourceName", "resourceName")]))
        }
        ("GET", ["resourceClaimActionAuthStrategies"]) => {
            let rows = db
                .claims
                .iter()
                .filter_map(|c| c.strategies_model())
                .filter(|c| matches(r, c, &[("resourceName", "resourceName")]))
                .collect();
            let order = [("Id", "resourceClaimId"), ("ResourceName", "resourceName"), ("ClaimName", "claimName")];
            Ok(page(rows, &r.q, &order))
        }
        ("GET", ["claimSets"]) => Ok(db.claim_sets.list(&r.q, |c| summary(db, c))),
        ("POST", ["claimSets"]) => check_name(db, &r.body, None).map(|name| {
            let id = db.claim_sets.insert(json!({"name": name, "_isSystemReserved": false, "resourceClaims": []}));
            db.claim_sets.created(id, None)
        }),
        ("GET", ["claimSets", id]) | ("GET", ["claimSets", id, "export"]) => db.claim_sets.get(id).map(|c| {
            let mut detail = summary(db, c);
            detail["resourceClaims"] = c["resourceClaims"].clone();
            ok(detail)
        }),
        ("PUT", ["claimSets", id]) => db.claim_sets.id(id).and_then(|i| {
            let old = modifiable(db, i, "id")?;
            let name = check_name(db, &r.body, Some(i))?;
            for app in db.applications.rows.values_mut().filter(|a| a["claimSetName"] == old) {
                app["claimSetName"] = json!(name);
            }
            db.claim_sets.rows.entry(i).or_default()["name"] = json!(name);
            Ok(ok_empty())
        }),
        ("DELETE", ["claimSets", id]) => db.claim_sets.id(id).and_then(|i| {
            let name = modifiable(db, i, "id")?;
            // However the application named it (the database compares names without case).
            let apps = db
                .applications
                .rows
                .values()
                .filter(|a| a["claimSetName"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&name)))
                .count();
            if apps > 0 {
                return Err(validation(json!({"id": [format!(
                    "Cannot delete this claim set. This claim set has {apps} associated application(s)."
                )]})));
            }
            db.claim_sets.rows.remove(&i);
            Ok(deleted("ClaimSet"))
        }),
        ("POST", ["claimSets", "copy"]) => {
            let original = r.body["originalId"].as_i64().unwrap_or(0);
            check_name(db, &r.body, None).and_then(|name| {
                let claims = db
                    .claim_sets
                    .get(&original.to_string())?["resourceClaims"]
                    .clone();
                let id = db.claim_sets.insert(json!({"name": name, "_isSystemReserved": false, "resourceClaims": claims}));
                Ok(db.claim_sets.created(id, None))
            })
        }
        ("POST", ["claimSets", "import"]) => check_name(db, &r.body, None).and_then(|name| {
            let mut e = Errors::default();
            let mut seen = Vec::new();
            let claims = import_claims(&db.claims, &r.body["resourceClaims"], &name, &mut seen, &mut e);
            e.result()?;
            let id = db.claim_sets.insert(json!({"name": name, "_isSystemReserved": false, "resourceClaims": claims}));
            Ok(db.claim_sets.created(id, None))
        }),
        ("POST", ["claimSets", cs, "resourceClaimActions"]) => {
            let rc = r.body["resourceClaimId"].as_i64().unwrap_or(0);
            set_claim_actions(db, cs, rc, &r.body)
        }
        ("PUT", ["claimSets", cs, "resourceClaimActions", rc]) => match rc.parse::<i64>() {
            Ok(rc) => set_claim_actions(db, cs, rc, &r.body),
            Err(_) => Err(not_found("ResourceClaim", rc)),
        },
        ("DELETE", ["claimSets", cs, "resourceClaimActions", rc]) => {
            let rc_id = rc.parse::<i64>().unwrap_or(0);
            with_claim(db, cs, rc, |_| Ok(ok_empty())).inspect(|_| {
                if let Some(set) = cs.parse().ok().and_then(|i| db.claim_sets.rows.get_mut(&i)) {
                    remove(&mut set["resourceClaims"], rc_id);
                }
            })
        }
        ("POST", ["claimSets", cs, "resourceClaimActions", rc, "overrideAuthorizationStrategy"]) => {
            override_strategy(db, cs, rc, &r.body)
        }
        ("POST", ["claimSets", cs, "resourceClaimActions", rc, "resetAuthorizationStrategies"]) => {
            with_claim(db, cs, rc, |claim| {
                claim["authorizationStrategyOverridesForCRUD"] = json!([]);
                Ok(ok_empty())
            })
        }
        _ => return None,
    };
    Some(answer.unwrap_or_else(|e| e))
}

/// Whether `row` passes the exact-equality filters `(query parameter, field)`.
fn matches(r: &Req, row: &Value, filters: &[(&str, &str)]) -> bool {
    filters
        .iter()
        .all(|(p, field)| param(&r.q, p).is_none_or(|want| same(&row[*field], want)))
}

/// The list view: with the names of the applications that use the claim set.
fn summary(db: &Db, c: &Value) -> Value {
    let apps: Vec<Value> = db
        .applications
        .rows
        .values()
        .filter(|a| a["claimSetName"] == c["name"])
        .map(|a| json!({"applicationName": a["applicationName"]}))
        .collect();
    json!({"id": c["id"], "name": c["name"], "_isSystemReserved": c["_isSystemReserved"], "_applications": apps})
}

/// Why the claim set may not be changed: it is system reserved.
fn reserved(db: &Db, id: i64) -> Option<String> {
    let set = db.claim_sets.rows.get(&id)?;
    (set["_isSystemReserved"] == true).then(|| {
        format!(
            "Claim set ({}) is system reserved. May not be modified.",
            text(set, "name")
        )
    })
}

/// The claim set's name, unless it is system reserved: then a validation error under `key`,
/// which the server spells differently per operation (`id` for the claim set's own PUT and
/// DELETE, `claimSetId` for resetting strategies and deleting a resource claim).
fn modifiable(db: &Db, id: i64, key: &str) -> Result<String, Reply> {
    if let Some(message) = reserved(db, id) {
        return Err(validation(json!({ key: [message] })));
    }
    Ok(text(&db.claim_sets.rows[&id], "name").to_owned())
}

/// A valid new name for a claim set (`editing` excluded from the uniqueness check).
fn check_name(db: &Db, body: &Value, editing: Option<i64>) -> Result<String, Reply> {
    let name = text(body, "name");
    let mut e = Errors::default();
    e.not_empty(body, "name");
    e.check(
        name.chars().count() < 255,
        "Name",
        "The claim set name must be less than 255 characters.",
    );
    let taken = db
        .claim_sets
        .rows
        .iter()
        .any(|(id, c)| Some(*id) != editing && text(c, "name").eq_ignore_ascii_case(name));
    e.check(
        !taken,
        "Name",
        "A claim set with this name already exists in the database. Please enter a unique name.",
    );
    e.result().map(|()| name.to_owned())
}

/// The server's checks of an actions list, reported under `key`: at least one action enabled;
/// then every duplicated name, then every name that is not an action.
fn check_actions(actions: &Value, key: &str, e: &mut Errors) {
    let list = actions.as_array().map_or(&[][..], Vec::as_slice);
    if list.is_empty() {
        return e.add(key, "Actions can not be empty.");
    }
    if !list.iter().any(|a| a["enabled"] == true) {
        return e.add(
            key,
            "A resource must have at least one action associated with it to be added.",
        );
    }
    let names: Vec<&str> = list.iter().map(|a| text(a, "name")).collect();
    let mut reported: Vec<&str> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) && !reported.contains(name) {
            reported.push(name);
            e.add(key, format!("{name} action is duplicated."));
        }
    }
    for name in names {
        e.check(
            seed::action_id(name).is_some(),
            key,
            format!("{name} is not a valid action."),
        );
    }
}

/// Rebuilds imported resource claims from the system's, checking each as the server's
/// validator does, in its order: a name given twice among its siblings (said once), the
/// actions, a claim the system does not have, authorization strategies the system does not
/// have (defaults and overrides), then each child's place (a top-level claim, or one under
/// another parent) before the child's own checks.
fn import_claims(
    claims_of: &Hierarchy,
    claims: &Value,
    set: &str,
    reported: &mut Vec<String>,
    e: &mut Errors,
) -> Vec<Value> {
    const KEY: &str = "ResourceClaims";
    let list = claims.as_array().map_or(&[][..], Vec::as_slice);
    let mut out = Vec::new();
    for c in list {
        let name = text(c, "name");
        let twice = list.iter().filter(|x| text(x, "name") == name).count() > 1;
        if twice && !reported.iter().any(|r| r == name) {
            reported.push(name.to_owned());
            e.add(KEY, format!(
                "Only unique resource claims can be added. The following is a duplicate resource: '{name}'."
            ));
        }
        check_actions(&c["actions"], KEY, e);
        let system = claims_of.named(name);
        if system.is_none() {
            e.add(KEY, format!(
                "This Claim Set contains a resource which is not in the system. Claimset Name: '{set}' Resource: '{name}'."
            ));
        }
        for field in [
            "_defaultAuthorizationStrategiesForCRUD",
            "authorizationStrategyOverridesForCRUD",
        ] {
            let strategies = c[field]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|a| {
                    a["authorizationStrategies"]
                        .as_array()
                        .into_iter()
                        .flatten()
                })
                .filter_map(|s| s["authStrategyName"].as_str());
            for strategy in strategies {
                e.check(seed::strategy_id(strategy).is_some(), KEY, format!(
                    "This resource claim contains an authorization strategy which is not in the system. Claimset Name: '{set}' Resource name: '{name}' Authorization strategy: '{strategy}'."
                ));
            }
        }
        for child in c["children"].as_array().into_iter().flatten() {
            let Some(child) = claims_of.named(text(child, "name")) else {
                continue;
            };
            if child.parent == 0 {
                e.add(
                    KEY,
                    format!("'{}' can not be added as a child resource.", child.name),
                );
            } else if system.is_none_or(|s| s.id != child.parent) {
                let parent = claims_of
                    .claim(child.parent)
                    .map_or("", |p| p.name.as_str());
                e.add(KEY, format!(
                    "Child resource: '{}' added to the wrong parent resource. Correct parent resource is: '{parent}'.",
                    child.name
                ));
            }
        }
        let children = import_claims(claims_of, &c["children"], set, reported, e);
        let Some(system) = system else { continue };
        let mut claim =
            claims_of.on_claim_set(system, c["actions"].as_array().map_or(&[], Vec::as_slice));
        claim["authorizationStrategyOverridesForCRUD"] = c["authorizationStrategyOverridesForCRUD"]
            .as_array()
            .map_or(json!([]), |o| json!(o));
        claim["children"] = json!(children);
        out.push(claim);
    }
    out
}

/// The claim with this id in a claim set's tree.
fn find(claims: &mut Value, id: i64) -> Option<&mut Value> {
    for c in claims.as_array_mut()? {
        if c["id"] == id {
            return Some(c);
        }
        if let Some(found) = find(&mut c["children"], id) {
            return Some(found);
        }
    }
    None
}

fn remove(claims: &mut Value, id: i64) {
    if let Some(list) = claims.as_array_mut() {
        list.retain(|c| c["id"] != id);
        for c in list {
            remove(&mut c["children"], id);
        }
    }
}

/// Runs `f` on resource claim `rc` of modifiable claim set `cs` (404s for either when absent).
fn with_claim(db: &mut Db, cs: &str, rc: &str, f: impl FnOnce(&mut Value) -> Answer) -> Answer {
    let id = db.claim_sets.id(cs)?;
    modifiable(db, id, "claimSetId")?;
    let rc_id = rc
        .parse::<i64>()
        .map_err(|_| not_found("ResourceClaim", rc))?;
    let set = db.claim_sets.get_mut(cs)?;
    let claim =
        find(&mut set["resourceClaims"], rc_id).ok_or_else(|| not_found("ResourceClaim", rc))?;
    f(claim)
}

/// Adds resource claim `rc` to claim set `cs` with the body's actions, or sets the actions of
/// the claim set's claim (the server runs one command for `POST` and `PUT`). Every rule
/// reports, as the server's validator does: a system-reserved claim set under `ClaimSetId`,
/// then under `ResourceClaimActions` a claim that is not in the system and the actions' rules.
fn set_claim_actions(db: &mut Db, cs: &str, rc: i64, body: &Value) -> Answer {
    let id = db.claim_sets.id(cs)?;
    let mut e = Errors::default();
    if let Some(message) = reserved(db, id) {
        e.add("ClaimSetId", message);
    }
    const KEY: &str = "ResourceClaimActions";
    // The request's list starts empty: left out, it is an empty list; `null`, no list.
    let empty = json!([]);
    let actions = body.get("resourceClaimActions").unwrap_or(&empty);
    if actions.is_array() {
        if db.claims.claim(rc).is_none() {
            e.add(KEY, format!(
                "This Claim Set contains a resource which is not in the system. Claimset Name: '{}' Resource: '{rc}'.",
                text(&db.claim_sets.rows[&id], "name")
            ));
        }
        check_actions(actions, KEY, &mut e);
    } else {
        e.add(KEY, "Please provide a valid resourceClaimActions object.");
    }
    e.result()?;
    let Some(system) = db.claims.claim(rc) else {
        return Err(not_found("ResourceClaim", rc));
    };
    let set = db.claim_sets.get_mut(cs)?;
    if let Some(claim) = find(&mut set["resourceClaims"], rc) {
        claim["actions"] = actions.clone();
        return Ok(ok_empty());
    }
    let claim = db
        .claims
        .on_claim_set(system, actions.as_array().map_or(&[], Vec::as_slice));
    // Under its parent when the claim set has the parent, else at the top.
    let siblings = match find(&mut set["resourceClaims"], system.parent) {
        Some(parent) => &mut parent["children"],
        None => &mut set["resourceClaims"],
    };
    if let Some(list) = siblings.as_array_mut() {
        list.push(claim);
    } else {
        *siblings = json!([claim]);
    }
    Ok(ok_empty())
}

fn override_strategy(db: &mut Db, cs: &str, rc: &str, body: &Value) -> Answer {
    let id = db.claim_sets.id(cs)?;
    let reserved = reserved(db, id);
    let set = db.claim_sets.get_mut(cs)?;
    let rc_id = rc.parse::<i64>().unwrap_or(0);
    // Every failure of the request is reported at once, in the server validator's order.
    let mut e = Errors::default();
    e.check(
        find(&mut set["resourceClaims"], rc_id).is_some(),
        "ResourceClaim",
        "Resource claim doesn't exist for the Claim set provided",
    );
    if let Some(message) = reserved {
        e.add("ClaimSetId", message);
    }
    let mut strategies = Vec::new();
    for name in body["authorizationStrategies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = name.as_str().unwrap_or_default();
        match seed::strategy_id(name) {
            Some(s) => strategies.push(s),
            None => e.add("AuthorizationStrategies", format!("{name} doesn't exist.")),
        }
    }
    let action = text(body, "actionName");
    let baseline = db.claims.override_baseline(rc_id, action);
    e.check(
        seed::action_id(action).is_some(),
        "ActionName",
        "ActionName doesn't exist.",
    );
    e.result()?;
    let Some(claim) = find(&mut set["resourceClaims"], rc_id) else {
        return Err(validation(
            json!({"ResourceClaim": ["Resource claim doesn't exist for the Claim set provided"]}),
        ));
    };
    let enabled = claim["actions"].as_array().is_some_and(|a| {
        a.iter()
            .any(|x| x["name"] == action && x["enabled"] == true)
    });
    if !enabled {
        return Err(validation(json!({"Action": [format!(
            "{action} action is not enabled for the resource claim with id {rc_id}."
        )]})));
    }
    // As the server does: a strategy equal to the action's default is not kept as an override,
    // and with no default (own or the parent's) nothing is kept.
    let kept: Vec<i64> = match baseline {
        Some(default) => strategies.into_iter().filter(|s| *s != default).collect(),
        None => Vec::new(),
    };
    let overrides = &mut claim["authorizationStrategyOverridesForCRUD"];
    if !overrides.is_array() {
        *overrides = json!([]);
    }
    if let Some(list) = overrides.as_array_mut() {
        list.retain(|o| o["actionName"] != action);
        if !kept.is_empty() {
            list.push(seed::override_entry(action, &kept));
        }
    }
    Ok(ok_empty())
}
