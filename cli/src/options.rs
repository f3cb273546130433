//! The options an operation, a listing or a command that reads credentials takes, apart from
//! its own parameters: one definition each, added by the command that needs them.

use clap::{Arg, ArgAction, value_parser};

use crate::output::Format;

/// The heading of the options that shape what an operation prints.
const OUTPUT: &str = "Output";
/// The heading of the options of a listing.
const LISTING: &str = "Listing";
/// The heading of the options that say where settings come from.
const SETTINGS: &str = "Settings";

/// What every operation takes about its output: `--format`, `--fields`, `--output`.
pub fn output_args() -> Vec<Arg> {
    vec![
        Arg::new("format")
            .long("format")
            .help_heading(OUTPUT)
            .value_parser(value_parser!(Format))
            .help("Output format: json (a listing as one array), jsonl, csv, table [default: json on a terminal, jsonl when piped]"),
        Arg::new("fields")
            .long("fields")
            .help_heading(OUTPUT)
            .value_delimiter(',')
            .value_name("A,B,C")
            .help("Only these fields, in this order (a dotted path such as name.first reaches a nested field); a name no record has is an error listing the fields"),
        Arg::new("jq")
            .long("jq")
            .help_heading(OUTPUT)
            .value_name("EXPR")
            .help("Run each record (a get's answer as one record) through a jq expression; its outputs are what --format writes and --fields picks from"),
        Arg::new("output")
            .long("output")
            .short('o')
            .help_heading(OUTPUT)
            .value_name("FILE")
            .help("Write to FILE instead of standard output (with --resume: exact, no record twice)"),
    ]
}

/// `--limit`: on every listing, paged or not.
pub fn limit_arg() -> Arg {
    Arg::new("limit")
        .long("limit")
        .help_heading(LISTING)
        .value_name("N")
        .value_parser(value_parser!(u64))
        .help("Stop after N records (pages are asked no larger than N; 0 sends nothing)")
}

/// `--resume`: on a listing that pages (a position to continue from exists).
pub fn resume_arg() -> Arg {
    Arg::new("resume")
        .long("resume")
        .help_heading(LISTING)
        .value_name("FILE")
        .help("Save the listing's position here after each page; run the same command again to continue")
}

/// Where settings come from, and how much to say: `--profile`, `--verbose`. On `edu` itself
/// (before the API's name) and on every command that reads credentials.
pub fn settings_args() -> Vec<Arg> {
    vec![
        Arg::new("profile")
            .long("profile")
            .help_heading(SETTINGS)
            .env("EDU_PROFILE")
            .value_name("NAME")
            .help("Use this profile of ~/.config/edu/config.toml ahead of the environment"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .help_heading(SETTINGS)
            .action(ArgAction::SetTrue)
            .help("Show each request on standard error: method, URL (credentials redacted), status, attempts, waits"),
    ]
}
