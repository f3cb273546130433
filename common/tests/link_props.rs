//! Property tests for the RFC 8288 `Link` parser.

use edu_common::link::{Link, parse};
use proptest::prelude::*;

fn target() -> impl Strategy<Value = String> {
    // URI references: anything but `>` and white space at the ends; commas and semicolons included.
    "[a-zA-Z0-9/:?=&%.,;_~+-]{0,40}".prop_map(|s| s.trim().to_owned())
}

fn param() -> impl Strategy<Value = (String, String)> {
    ("[a-z][a-z0-9_-]{0,10}", "[ -~]{0,20}")
}

fn link() -> impl Strategy<Value = Link> {
    (target(), prop::collection::vec(param(), 0..4))
        .prop_map(|(target, params)| Link { target, params })
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_input(s in ".{0,200}") {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_link_like_input(s in "[<>;,=\" \\\\a-z]{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn round_trips_what_it_formats(links in prop::collection::vec(link(), 0..5)) {
        let header = links.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        prop_assert_eq!(parse(&header), links);
    }
}
