//! The datahub list and item envelopes on arbitrary bodies: a value or a typed decode error
//! whose message never quotes a string from the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

use datahub_client::envelope::{Item, List};

fuzz_target!(|data: &[u8]| {
    let _ = edu_common::Error::decode_json::<List<datahub_client::Student>>("list", data);
    let _ = edu_common::Error::decode_json::<Item<datahub_client::District>>("item", data);
    let _ = edu_common::Error::decode_json::<List<serde_json::Value>>("list", data);
});
