//! The region's schemas the simulator serves and validates writes against.

use serde_json::{Value, json};

/// The region's create schema: an array of up to ten candidates.
pub fn region_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "array",
        "minItems": 1,
        "maxItems": 10,
        "items": candidate_schema(true)
    })
}

/// The region's update schema: any subset of the fields, `null` clearing nullable ones.
pub fn region_update_schema() -> Value {
    let mut s = candidate_schema(false);
    s["minProperties"] = json!(1);
    if let Some(props) = s["properties"].as_object_mut() {
        for key in [
            "phone",
            "phase",
            "sector",
            "regionInterest",
            "preferredStartDate",
        ] {
            if let Some(p) = props.get_mut(key) {
                *p = json!({ "anyOf": [p.clone(), {"type": "null"}] });
            }
        }
    }
    s
}

pub(super) fn candidate_schema(create: bool) -> Value {
    let mut s = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "firstName": {"type": "string", "minLength": 1, "description": "Shared: given name"},
            "lastName": {"type": "string", "minLength": 1, "description": "Shared: family name"},
            "email": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"},
            "phone": {"type": "string", "pattern": "^[+0-9 ()-]{6,20}$"},
            "privacyConsent": {"type": "boolean"},
            "phase": {"enum": ["new", "matching", "orienting", "preparing", "in-training", "working", "left"]},
            "sector": {"type": "array", "items": {"enum": ["po", "vo", "so", "mbo", "hbo", "pro"]}, "uniqueItems": true},
            "interactions": {
                "type": "array", "maxItems": 10,
                "items": {
                    "type": "object", "required": ["type", "performedAt"],
                    "properties": {"type": {"type": "string"}, "performedAt": {"type": "string"}, "notes": {"type": "string"}}
                }
            },
            "regionInterest": {"enum": ["Rotterdam-Noord", "Rotterdam-Zuid", "Drechtsteden"], "description": "Custom field of this region"},
            "preferredStartDate": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "Custom field of this region"}
        }
    });
    if create {
        s["required"] = json!(["firstName", "lastName", "email", "privacyConsent"]);
    }
    s
}
