//! Vendors, applications and the API clients (keys and secrets) of applications.

use serde_json::{Value, json};

use super::db::{Db, Req};
use super::reply::{
    Answer, Errors, Reply, deleted, ids, message, not_found, ok, ok_empty, param, same, text,
    validation,
};

pub(super) fn route(db: &mut Db, r: &Req) -> Option<Reply> {
    let answer = match (r.method, r.parts.as_slice()) {
        ("GET", ["vendors"]) => Ok(list_vendors(db, r)),
        ("POST", ["vendors"]) => check_vendor(&r.body).map(|()| {
            let id = db.vendors.insert(vendor_row(&r.body));
            db.vendors.created(id, None)
        }),
        ("GET", ["vendors", id]) => db.vendors.get(id).map(ok),
        ("PUT", ["vendors", id]) => db.vendors.id(id).and_then(|i| {
            check_vendor(&r.body)?;
            let mut row = vendor_row(&r.body);
            row["id"] = json!(i);
            db.vendors.rows.insert(i, row);
            Ok(ok_empty())
        }),
        ("DELETE", ["vendors", id]) => db.vendors.id(id).map(|i| {
            db.vendors.rows.remove(&i);
            let apps: Vec<i64> = db
                .applications
                .rows
                .values()
                .filter(|a| a["vendorId"] == i)
                .filter_map(|a| a["id"].as_i64())
                .collect();
            for app in apps {
                remove_application(db, app);
            }
            deleted("Vendor")
        }),
        ("GET", ["vendors", id, "applications"]) => db.vendors.id(id).map(|i| {
            ok(db
                .applications
                .rows
                .values()
                .filter(|a| a["vendorId"] == i)
                .collect::<Vec<_>>())
        }),
        ("GET", ["applications"]) => list_applications(db, r),
        ("POST", ["applications"]) => create_application(db, &r.body),
        ("GET", ["applications", id]) => db.applications.get(id).map(ok),
        ("PUT", ["applications", id]) => db.applications.id(id).and_then(|i| {
            check_application(db, &r.body)?;
            let row = application_row(&r.body, i);
            db.applications.rows.insert(i, row);
            Ok(ok_empty())
        }),
        ("DELETE", ["applications", id]) => db.applications.id(id).map(|i| {
            remove_application(db, i);
            deleted("Application")
        }),
        ("PUT", ["applications", id, "reset-credential"]) => reset_application(db, id),
        ("GET", ["apiclients"]) => list_api_clients(db, r),
        ("POST", ["apiclients"]) => create_api_client(db, &r.body),
        ("GET", ["apiclients", id]) => db.api_clients.get(id).map(ok),
        ("PUT", ["apiclients", id]) => db.api_clients.id(id).and_then(|i| {
            check_api_client(db, &r.body)?;
            let row = db.api_clients.rows.entry(i).or_default();
            row["name"] = r.body["name"].clone();
            row["isApproved"] = json!(r.body["isApproved"].as_bool().unwrap_or(true));
            row["applicationId"] = r.body["applicationId"].clone();
            row["odsInstanceIds"] = r.body["odsInstanceIds"].clone();
            Ok(ok_empty())
        }),
        ("DELETE", ["apiclients", id]) => db.api_clients.id(id).map(|i| {
            db.api_clients.rows.remove(&i);
            deleted("ApiClient")
        }),
        ("PUT", ["apiclients", id, "reset-credential"]) => {
            let i = db
                .api_clients
                .id(id)
                .map_err(|_| not_found("ApiClient", id));
            i.map(|i| {
                let (key, secret) = db.new_key();
                let row = db.api_clients.rows.entry(i).or_default();
                row["key"] = json!(key);
                ok(json!({"id": i, "name": row["name"], "key": key, "secret": secret, "applicationId": row["applicationId"]}))
            })
        }
        _ => return None,
    };
    Some(answer.unwrap_or_else(|e| e))
}

fn vendor_row(body: &Value) -> Value {
    json!({
        "company": text(body, "company"),
        "namespacePrefixes": text(body, "namespacePrefixes"),
        "contactName": text(body, "contactName"),
        "contactEmailAddress": text(body, "contactEmailAddress"),
    })
}

fn check_vendor(body: &Value) -> Result<(), Reply> {
    let mut e = Errors::default();
    e.not_empty(body, "company");
    let company = text(body, "company");
    e.check(
        !company.eq_ignore_ascii_case("EdFi"),
        "Company",
        format!("'{company}' is a reserved name and may not be used. Please choose another name."),
    );
    e.not_empty(body, "contactName");
    let email = text(body, "contactEmailAddress");
    e.not_empty(body, "contactEmailAddress");
    let valid = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty());
    e.check(
        valid,
        "ContactEmailAddress",
        "'Contact Email Address' is not a valid email address.",
    );
    for prefix in text(body, "namespacePrefixes").split(',') {
        e.check(
            prefix.trim().len() <= 255,
            "NamespacePrefixes",
            format!("'{}' exceeds maximum length", prefix.trim()),
        );
    }
    e.result()
}

fn list_vendors(db: &Db, r: &Req) -> Reply {
    // `id` below 1 is ignored; `namespacePrefixes` matches any one of a vendor's prefixes.
    let id = param(&r.q, "id")
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|i| *i >= 1);
    let prefix = param(&r.q, "namespacePrefixes");
    db.vendors.list_where(
        &r.q,
        |v| {
            id.is_none_or(|i| v["id"] == i)
                && prefix.is_none_or(|p| {
                    text(v, "namespacePrefixes")
                        .split(',')
                        .any(|x| x.trim() == p)
                })
        },
        Value::clone,
    )
}

fn list_applications(db: &Db, r: &Req) -> Answer {
    let wanted: Option<Vec<i64>> = match param(&r.q, "ids") {
        None => None,
        Some(csv) => Some(
            csv.split(',')
                .map(|s| s.trim().parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    validation(json!({"ids": ["The 'ids' query parameter must be a comma-separated list of integers."]}))
                })?,
        ),
    };
    Ok(db.applications.list_where(
        &r.q,
        |a| {
            wanted
                .as_ref()
                .is_none_or(|w| w.iter().any(|i| a["id"] == *i))
        },
        Value::clone,
    ))
}

fn check_application(db: &Db, body: &Value) -> Result<(), Reply> {
    let mut e = Errors::default();
    e.not_empty(body, "applicationName");
    too_long(&mut e, "Application", text(body, "applicationName"));
    e.check(
        !text(body, "claimSetName").is_empty(),
        "ClaimSetName",
        "Please provide a valid claim set name.",
    );
    e.check(
        !ids(body, "educationOrganizationIds").is_empty(),
        "EducationOrganizationIds",
        "Please provide at least one education organization id.",
    );
    e.check(
        !ids(body, "odsInstanceIds").is_empty(),
        "OdsInstanceIds",
        "Please provide at least one ods instance id.",
    );
    let vendor = body["vendorId"].as_i64().unwrap_or(0);
    e.check(vendor > 0, "VendorId", "Please provide valid vendor id.");
    if !e.is_empty() {
        return e.result();
    }
    e.check(
        db.vendors.rows.contains_key(&vendor),
        "VendorId",
        format!("Vendor with ID {vendor} not found."),
    );
    missing(&mut e, "ProfileIds", &ids(body, "profileIds"), |i| {
        db.profiles.rows.contains_key(&i)
    });
    missing(
        &mut e,
        "OdsInstanceIds",
        &ids(body, "odsInstanceIds"),
        |i| db.ods_instances.rows.contains_key(&i),
    );
    e.result()
}

/// The 50-character limit on application and API client names, with the server's message.
fn too_long(e: &mut Errors, what: &str, name: &str) {
    let over = name.chars().count().saturating_sub(50);
    let key = if what == "Application" {
        "ApplicationName"
    } else {
        "Name"
    };
    e.check(over == 0, key, format!(
        "The {what} Name {name} would be too long for Admin App to set up necessary {what} records. Consider shortening the name by {over} character(s)."
    ));
}

/// `The following ProfileIds were not found in database: 3, 4`.
fn missing(e: &mut Errors, key: &str, wanted: &[i64], exists: impl Fn(i64) -> bool) {
    let absent: Vec<String> = wanted
        .iter()
        .filter(|i| !exists(**i))
        .map(i64::to_string)
        .collect();
    e.check(
        absent.is_empty(),
        key,
        format!(
            "The following {key} were not found in database: {}",
            absent.join(", ")
        ),
    );
}

fn application_row(body: &Value, id: i64) -> Value {
    json!({
        "id": id,
        "applicationName": text(body, "applicationName"),
        "claimSetName": text(body, "claimSetName"),
        "educationOrganizationIds": ids(body, "educationOrganizationIds"),
        "vendorId": body["vendorId"],
        "profileIds": ids(body, "profileIds"),
        "odsInstanceIds": ids(body, "odsInstanceIds"),
        "enabled": body["enabled"].as_bool().unwrap_or(true),
    })
}

/// Creating an application also creates its first API client, which holds the key.
fn create_application(db: &mut Db, body: &Value) -> Answer {
    check_application(db, body)?;
    let id = db.applications.insert(Value::Null);
    db.applications.rows.insert(id, application_row(body, id));
    let (key, secret) = db.new_key();
    db.api_clients.insert(json!({
        "name": text(body, "applicationName"),
        "key": key,
        "isApproved": true,
        "useSandbox": false,
        "sandboxType": 0,
        "applicationId": id,
        "keyStatus": "Active",
        "educationOrganizationIds": ids(body, "educationOrganizationIds"),
        "odsInstanceIds": ids(body, "odsInstanceIds"),
    }));
    Ok(db
        .applications
        .created(id, Some(json!({"id": id, "key": key, "secret": secret}))))
}

fn remove_application(db: &mut Db, id: i64) {
    db.applications.rows.remove(&id);
    db.api_clients.rows.retain(|_, c| c["applicationId"] != id);
}

fn reset_application(db: &mut Db, id: &str) -> Answer {
    if !db.reset_enabled {
        return Err(validation(
            json!({"Application": ["This endpoint has been disabled on application settings."]}),
        ));
    }
    let id = db.applications.id(id)?;
    let (key, secret) = db.new_key();
    if let Some(c) = db
        .api_clients
        .rows
        .values_mut()
        .find(|c| c["applicationId"] == id)
    {
        c["key"] = json!(key);
    }
    Ok(ok(json!({"id": id, "key": key, "secret": secret})))
}

fn list_api_clients(db: &Db, r: &Req) -> Answer {
    let app = param(&r.q, "applicationid").ok_or_else(|| {
        message(
            400,
            "Required parameter \"int applicationId\" was not provided from query string.",
        )
    })?;
    Ok(ok(db
        .api_clients
        .rows
        .values()
        .filter(|c| same(&c["applicationId"], app))
        .collect::<Vec<_>>()))
}

fn check_api_client(db: &Db, body: &Value) -> Result<(), Reply> {
    let mut e = Errors::default();
    e.not_empty(body, "name");
    too_long(&mut e, "Api Client", text(body, "name"));
    let app = body["applicationId"].as_i64().unwrap_or(0);
    e.check(
        app > 0,
        "ApplicationId",
        "Please provide valid application id.",
    );
    e.check(
        !ids(body, "odsInstanceIds").is_empty(),
        "OdsInstanceIds",
        "Please provide at least one ods instance id.",
    );
    if !e.is_empty() {
        return e.result();
    }
    e.check(
        db.applications.rows.contains_key(&app),
        "ApplicationId",
        format!("Application with ID {app} not found."),
    );
    missing(
        &mut e,
        "OdsInstanceIds",
        &ids(body, "odsInstanceIds"),
        |i| db.ods_instances.rows.contains_key(&i),
    );
    e.result()
}

fn create_api_client(db: &mut Db, body: &Value) -> Answer {
    check_api_client(db, body)?;
    let app = body["applicationId"].as_i64().unwrap_or(0);
    let edorgs = db
        .applications
        .rows
        .get(&app)
        .map(|a| a["educationOrganizationIds"].clone());
    let (key, secret) = db.new_key();
    let id = db.api_clients.insert(json!({
        "name": text(body, "name"),
        "key": key,
        "isApproved": body["isApproved"].as_bool().unwrap_or(true),
        "useSandbox": false,
        "sandboxType": 0,
        "applicationId": app,
        "keyStatus": "Active",
        "educationOrganizationIds": edorgs.unwrap_or_else(|| json!([])),
        "odsInstanceIds": ids(body, "odsInstanceIds"),
    }));
    let result = json!({"id": id, "name": text(body, "name"), "key": key, "secret": secret, "applicationId": app});
    Ok(db.api_clients.created(id, Some(result)))
}
