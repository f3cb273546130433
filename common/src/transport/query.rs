//! A typed query parameter as the pairs it sends, the way the OpenAPI default (`style: form`,
//! `explode: true`) writes it: a list repeats the name (`status=a&status=b`), an absent value
//! (`None`) sends nothing, an object sends its members as pairs, and every scalar is written
//! as its JSON form without quotes (an enum its wire name, a date `2026-12-07`, a date-time in
//! RFC 3339), never through `Display`, which for some types says something else.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// The query pairs of parameter `name` holding `value`.
pub fn pairs<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<Vec<(String, String)>> {
    let value = serde_json::to_value(value).map_err(|e| {
        Error::invalid_input(
            Some(name),
            format!("`{name}` could not be written as a query parameter: {e}"),
        )
    })?;
    let mut out = Vec::new();
    match value {
        Value::Array(items) => {
            for item in items {
                push(&mut out, name, item)?;
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                push(&mut out, &key, item)?;
            }
        }
        other => push(&mut out, name, other)?,
    }
    Ok(out)
}

fn push(out: &mut Vec<(String, String)>, name: &str, value: Value) -> Result<()> {
    let text = match value {
        Value::Null => return Ok(()),
        Value::String(s) => s,
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) | Value::Object(_) => {
            return Err(Error::invalid_input(
                Some(name),
                format!("`{name}` nests a list or object, which a query parameter cannot hold"),
            ));
        }
    };
    out.push((name.to_owned(), text));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn values_are_written_as_the_openapi_default_writes_them() {
        let none: Option<i64> = None;
        assert_eq!(pairs("a", &none).unwrap(), p(&[]));
        assert_eq!(pairs("a", &Some(5)).unwrap(), p(&[("a", "5")]));
        assert_eq!(pairs("a", &true).unwrap(), p(&[("a", "true")]));
        assert_eq!(pairs("a", "x y").unwrap(), p(&[("a", "x y")]));
        assert_eq!(pairs("a", &1.5).unwrap(), p(&[("a", "1.5")]));
        assert_eq!(
            pairs("status", &["planned", "canceled"]).unwrap(),
            p(&[("status", "planned"), ("status", "canceled")])
        );
        assert_eq!(pairs("ids", &Vec::<i64>::new()).unwrap(), p(&[]));
        assert_eq!(
            pairs("filter", &json!({"x": 1, "y": "z"})).unwrap(),
            p(&[("x", "1"), ("y", "z")])
        );
        assert!(pairs("a", &json!([[1]])).is_err());
    }

    #[test]
    fn dates_and_times_are_written_as_serde_writes_them_not_as_display_does() {
        #[derive(Serialize)]
        struct When(&'static str);
        // A type whose `Display` differs from its serialized form stands for chrono's
        // `DateTime<Utc>` (`Display`: `2026-12-07 10:00:00 UTC`).
        impl std::fmt::Display for When {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("not this")
            }
        }
        assert_eq!(
            pairs("start", &When("2026-12-07T10:00:00Z")).unwrap(),
            p(&[("start", "2026-12-07T10:00:00Z")])
        );
    }
}
