//! ODS instances with their contexts and derivatives, and profiles.

use serde_json::{Value, json};

use super::db::{Db, Req};
use super::reply::{Answer, Errors, Reply, Table, deleted, not_found, ok, ok_empty, text};

pub(super) fn route(db: &mut Db, r: &Req) -> Option<Reply> {
    let answer = match (r.method, r.parts.as_slice()) {
        ("GET", ["odsInstances"]) => Ok(db.ods_instances.list(&r.q, instance_view)),
        ("POST", ["odsInstances"]) => check_instance(db, &r.body, None).map(|()| {
            let id = db.ods_instances.insert(instance_row(&r.body, ""));
            db.ods_instances.created(id, None)
        }),
        ("GET", ["odsInstances", id]) => db.ods_instances.get(id).map(|row| {
            let mut detail = instance_view(row);
            detail["odsInstanceContexts"] =
                json!(children_of(&db.contexts, &row["id"], Value::clone));
            detail["odsInstanceDerivatives"] =
                json!(children_of(&db.derivatives, &row["id"], derivative_view));
            ok(detail)
        }),
        ("PUT", ["odsInstances", id]) => db.ods_instances.id(id).and_then(|i| {
            check_instance(db, &r.body, Some(i))?;
            let old = db.ods_instances.rows[&i]["connectionString"].clone();
            let mut row = instance_row(&r.body, old.as_str().unwrap_or_default());
            row["id"] = json!(i);
            db.ods_instances.rows.insert(i, row);
            Ok(ok_empty())
        }),
        ("DELETE", ["odsInstances", id]) => db.ods_instances.id(id).and_then(|i| {
            let mut e = Errors::default();
            let used_by_apps = db.applications.rows.values().any(|a| uses(a, i));
            for (used, what) in [
                (used_by_apps, "Applications"),
                (
                    !children_of(&db.contexts, &json!(i), Value::clone).is_empty(),
                    "OdsInstanceContexts",
                ),
                (
                    !children_of(&db.derivatives, &json!(i), Value::clone).is_empty(),
                    "OdsInstanceDerivatives",
                ),
            ] {
                e.check(
                    !used,
                    "Id",
                    format!(
                        "There are some {what} associated to this OdsInstance. Can not be deleted."
                    ),
                );
            }
            e.result()?;
            db.ods_instances.rows.remove(&i);
            Ok(deleted("Ods Instance"))
        }),
        ("GET", ["odsInstances", id, "applications"]) => db.ods_instances.id(id).map(|i| {
            ok(db
                .applications
                .rows
                .values()
                .filter(|a| uses(a, i))
                .collect::<Vec<_>>())
        }),
        ("GET", ["odsInstanceContexts"]) => Ok(db.contexts.list(&r.q, Value::clone)),
        ("POST", ["odsInstanceContexts"]) => save_child(db, Child::Context, &r.body, None),
        ("GET", ["odsInstanceContexts", id]) => db.contexts.get(id).map(ok),
        ("PUT", ["odsInstanceContexts", id]) => db
            .contexts
            .id(id)
            .and_then(|i| save_child(db, Child::Context, &r.body, Some(i))),
        ("DELETE", ["odsInstanceContexts", id]) => db.contexts.id(id).map(|i| {
            db.contexts.rows.remove(&i);
            ok_empty()
        }),
        ("GET", ["odsInstanceDerivatives"]) => Ok(db.derivatives.list(&r.q, derivative_view)),
        ("POST", ["odsInstanceDerivatives"]) => save_child(db, Child::Derivative, &r.body, None),
        ("GET", ["odsInstanceDerivatives", id]) => {
            db.derivatives.get(id).map(|d| ok(derivative_view(d)))
        }
        ("PUT", ["odsInstanceDerivatives", id]) => db
            .derivatives
            .id(id)
            .and_then(|i| save_child(db, Child::Derivative, &r.body, Some(i))),
        ("DELETE", ["odsInstanceDerivatives", id]) => db.derivatives.id(id).map(|i| {
            db.derivatives.rows.remove(&i);
            ok_empty()
        }),
        ("GET", ["profiles"]) => Ok(db
            .profiles
            .list(&r.q, |p| json!({"id": p["id"], "name": p["name"]}))),
        ("POST", ["profiles"]) => check_profile(db, &r.body, None).map(|()| {
            let id = db.profiles.insert(profile_row(&r.body));
            db.profiles.created(id, None)
        }),
        ("GET", ["profiles", id]) => db.profiles.get(id).map(ok),
        ("PUT", ["profiles", id]) => db.profiles.id(id).and_then(|i| {
            check_profile(db, &r.body, Some(i))?;
            let mut row = profile_row(&r.body);
            row["id"] = json!(i);
            db.profiles.rows.insert(i, row);
            Ok(ok_empty())
        }),
        ("DELETE", ["profiles", id]) => db.profiles.id(id).map(|i| {
            db.profiles.rows.remove(&i);
            ok_empty()
        }),
        _ => return None,
    };
    Some(answer.unwrap_or_else(|e| e))
}

fn uses(application: &Value, instance: i64) -> bool {
    application["odsInstanceIds"].as_array().is_some_and(|ids| {
        ids.iter()
            .any(|x| x.as_i64() == Some(instance) || x.as_str() == Some(&instance.to_string()))
    })
}

fn children_of(table: &Table, instance: &Value, view: fn(&Value) -> Value) -> Vec<Value> {
    table
        .rows
        .values()
        .filter(|c| c["odsInstanceId"] == *instance)
        .map(view)
        .collect()
}

/// What the server shows of an instance: never its connection string.
fn instance_view(row: &Value) -> Value {
    json!({"id": row["id"], "name": row["name"], "instanceType": row["instanceType"]})
}

fn derivative_view(row: &Value) -> Value {
    json!({"id": row["id"], "odsInstanceId": row["odsInstanceId"], "derivativeType": row["derivativeType"]})
}

/// An empty connection string on PUT keeps the old one.
fn instance_row(body: &Value, old_connection: &str) -> Value {
    let connection = match text(body, "connectionString") {
        "" => old_connection,
        c => c,
    };
    json!({
        "name": text(body, "name"),
        "instanceType": body["instanceType"],
        "connectionString": connection,
    })
}

/// `key=value` pairs separated by `;`, as SqlConnectionStringBuilder or Npgsql would accept.
fn valid_connection_string(s: &str) -> bool {
    let pairs: Vec<&str> = s
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    !pairs.is_empty()
        && pairs
            .iter()
            .all(|p| p.split_once('=').is_some_and(|(k, _)| !k.trim().is_empty()))
}

fn check_connection_string(e: &mut Errors, body: &Value, required: bool) {
    let c = text(body, "connectionString");
    if required {
        e.not_empty(body, "connectionString");
    }
    e.check(
        c.is_empty() || valid_connection_string(c),
        "ConnectionString",
        "The connection string is not valid.",
    );
}

fn check_instance(db: &Db, body: &Value, editing: Option<i64>) -> Result<(), Reply> {
    let mut e = Errors::default();
    e.not_empty(body, "name");
    let name = text(body, "name");
    let taken = db
        .ods_instances
        .rows
        .iter()
        .any(|(id, row)| Some(*id) != editing && row["name"] == name);
    // The server's PUT reuses the claim-set message here; the simulator says what the server says.
    let msg = match editing {
        None => {
            "An Ods instance with this name already exists in the database. Please enter a unique name."
        }
        Some(_) => {
            "A claim set with this name already exists in the database. Please enter a unique name."
        }
    };
    e.check(!taken, "Name", msg);
    let kind = text(body, "instanceType").chars().count();
    e.check(kind <= 100, "InstanceType", format!(
        "The length of 'Instance Type' must be 100 characters or fewer. You entered {kind} characters."
    ));
    check_connection_string(&mut e, body, editing.is_none());
    e.result()
}

#[derive(Clone, Copy)]
enum Child {
    Context,
    Derivative,
}

/// Creates (`editing` is `None`) or replaces an ODS instance context or derivative.
///
/// Every rule runs and reports, as FluentValidation does (an invalid ODS instance id does not
/// hide a bad derivative type or connection string), except that an instance id that is not 0
/// and names no instance ends the check with a 404, as the server's lookup throws. The combined
/// key's uniqueness is a rule on the whole request, so it is reported under the empty key.
fn save_child(db: &mut Db, kind: Child, body: &Value, editing: Option<i64>) -> Answer {
    let instance = body["odsInstanceId"].as_i64().unwrap_or(0);
    let mut e = Errors::default();
    let (field, unique) = match kind {
        Child::Context => {
            e.not_empty(body, "contextKey");
            e.not_empty(body, "contextValue");
            (
                "contextKey",
                "The combined key ODS instance id and context key must be unique.",
            )
        }
        Child::Derivative => {
            e.not_empty(body, "derivativeType");
            let t = text(body, "derivativeType");
            e.check(
                t.is_empty()
                    || t.eq_ignore_ascii_case("ReadReplica")
                    || t.eq_ignore_ascii_case("Snapshot"),
                "DerivativeType",
                "The value for the Derivative type is not allowed. The only accepted values are: 'ReadReplica' or 'Snapshot'.",
            );
            (
                "derivativeType",
                "The combined key ODS instance id and derivative type must be unique.",
            )
        }
    };
    if instance == 0 {
        e.add(
            "OdsInstanceId",
            format!("Please provide valid ods instance id. The id {instance} does not exist."),
        );
    } else if !db.ods_instances.rows.contains_key(&instance) {
        return Err(not_found("odsInstance", instance));
    }
    if matches!(kind, Child::Derivative) {
        check_connection_string(&mut e, body, editing.is_none());
    }
    let table = match kind {
        Child::Context => &mut db.contexts,
        Child::Derivative => &mut db.derivatives,
    };
    let value = text(body, field);
    let clash = table.rows.iter().any(|(id, row)| {
        Some(*id) != editing
            && row["odsInstanceId"] == instance
            && row[field]
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
    });
    e.check(!clash, "", unique);
    e.result()?;
    let mut row = match kind {
        Child::Context => json!({"contextKey": value, "contextValue": text(body, "contextValue")}),
        Child::Derivative => {
            json!({"derivativeType": value, "connectionString": text(body, "connectionString")})
        }
    };
    row["odsInstanceId"] = json!(instance);
    Ok(match editing {
        Some(id) => {
            if let (Some(old), Child::Derivative) = (table.rows.get(&id), kind)
                && text(body, "connectionString").is_empty()
            {
                row["connectionString"] = old["connectionString"].clone();
            }
            row["id"] = json!(id);
            table.rows.insert(id, row);
            ok_empty()
        }
        None => {
            let id = table.insert(row);
            table.created(id, None)
        }
    })
}

fn profile_row(body: &Value) -> Value {
    json!({"name": text(body, "name"), "definition": text(body, "definition")})
}

/// The `name` attribute of the definition's `<Profile>` element.
fn profile_name(definition: &str) -> Option<&str> {
    let element = &definition[definition.find("<Profile")?..];
    let element = &element[..element.find('>')?];
    let start = element.find("name=\"")? + "name=\"".len();
    let rest = &element[start..];
    Some(&rest[..rest.find('"')?])
}

fn check_profile(db: &Db, body: &Value, editing: Option<i64>) -> Result<(), Reply> {
    let mut e = Errors::default();
    e.not_empty(body, "name");
    e.not_empty(body, "definition");
    let name = text(body, "name");
    let taken = db
        .profiles
        .rows
        .iter()
        .any(|(id, p)| Some(*id) != editing && p["name"] == name);
    let who = if editing.is_some() {
        "Another Profile"
    } else {
        "A Profile"
    };
    e.check(
        !taken,
        "Name",
        format!("{who} with this name already exists in the database. Please enter a unique name."),
    );
    // Checked against the profile schema first; the name only once the XML is well-formed.
    let definition = text(body, "definition");
    if !definition.is_empty() {
        let checked = super::profile_xml::problems(definition);
        let well_formed = checked.is_ok();
        for p in checked.unwrap_or_else(|message| vec![message]) {
            e.add("Definition", p);
        }
        if well_formed
            && !name.is_empty()
            && !profile_name(definition).is_some_and(|n| n.eq_ignore_ascii_case(name))
        {
            e.add(
                "Definition",
                format!("Profile name attribute value should match with {name}."),
            );
        }
    }
    e.result()
}
