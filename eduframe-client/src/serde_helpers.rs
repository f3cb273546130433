//! Eduframe's data formats: booleans as `true`/`false`/`1`/`0`, timestamps with milliseconds.

use serde::{Deserialize, Deserializer};

/// Accepts `true`, `false`, `1`, `0`, `"true"`, `"false"`, `"1"`, `"0"` (and `null` as `None`).
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Any {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    match Option::<Any>::deserialize(d)? {
        None => Ok(None),
        Some(Any::Bool(b)) => Ok(Some(b)),
        Some(Any::Int(1)) => Ok(Some(true)),
        Some(Any::Int(0)) => Ok(Some(false)),
        Some(Any::Text(t)) => match t.as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            other => Err(serde::de::Error::custom(format!(
                "`{other}` is not a boolean (true/false/1/0)"
            ))),
        },
        Some(Any::Int(n)) => Err(serde::de::Error::custom(format!(
            "`{n}` is not a boolean (1 or 0)"
        ))),
    }
}

/// Formats a timestamp the way Eduframe expects: `yyyy-MM-ddTHH:mm:ss.SSSZ`.
pub fn timestamp(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "lenient_bool")]
        b: Option<bool>,
    }

    #[test]
    fn booleans() {
        for (json, want) in [
            ("true", Some(true)),
            ("0", Some(false)),
            ("\"1\"", Some(true)),
            ("null", None),
        ] {
            let t: T = serde_json::from_str(&format!("{{\"b\": {json}}}")).unwrap();
            assert_eq!(t.b, want, "{json}");
        }
        assert!(serde_json::from_str::<T>("{\"b\": 2}").is_err());
        let t: T = serde_json::from_str("{}").unwrap();
        assert_eq!(t.b, None);
    }

    #[test]
    fn millisecond_timestamps() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00.5Z")
            .unwrap()
            .to_utc();
        assert_eq!(timestamp(&t), "2026-11-22T10:00:00.500Z");
    }
}
