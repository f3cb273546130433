//! Property versions of the `datahub_envelope` fuzz target (issue #12): whatever body a server
//! sends, decoding gives records or a typed error, never a panic, and a decode error never
//! quotes a value from the body (records hold passwords).

use datahub_client::envelope::{Item, List};
use datahub_client::{District, Student};
use edu_common::Error;
use proptest::prelude::*;

fn value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 ]{0,12}".prop_map(|s| serde_json::Value::from(format!("SECRET{s}"))),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("data".to_owned()),
                    Just("id".to_owned()),
                    Just("links".to_owned()),
                    Just("paging".to_owned()),
                    Just("name".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn any_bytes_decode_or_fail_typed(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Error::decode_json::<List<Student>>("list", &bytes);
        let _ = Error::decode_json::<Item<District>>("item", &bytes);
    }

    #[test]
    fn decode_errors_never_quote_the_body(v in value()) {
        let body = serde_json::to_vec(&v).unwrap();
        for err in [
            Error::decode_json::<List<Student>>("list", &body).err(),
            Error::decode_json::<Item<District>>("item", &body).err(),
        ].into_iter().flatten() {
            let shown = format!("{err} {err:?}");
            prop_assert!(!shown.contains("SECRET"), "{}", shown);
        }
    }
}
