//! The `edu` command tree: global output options, one subcommand per API (its resources and
//! operations from its table, and `check`), `sim` and `completions`.

use clap::{Arg, ArgAction, Args, Command, value_parser};

use crate::output::Format;
use crate::table::{Operation, resource_commands};

/// The five APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Eduframe API v1.
    Eduframe,
    /// Ed-Fi ODS/API Admin API 2.
    EdfiAdmin,
    /// Edu-V Education API.
    Eduv,
    /// Onderwijsregio API v2.
    Onderwijsregio,
    /// The datahub rostering Data API.
    Datahub,
}

impl Api {
    /// Every API, in the order `edu --help` lists them.
    pub const ALL: [Api; 5] = [
        Api::Eduframe,
        Api::EdfiAdmin,
        Api::Eduv,
        Api::Onderwijsregio,
        Api::Datahub,
    ];

    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            Api::Eduframe => "eduframe",
            Api::EdfiAdmin => "edfi-admin",
            Api::Eduv => "eduv",
            Api::Onderwijsregio => "onderwijsregio",
            Api::Datahub => "datahub",
        }
    }

    fn about(self) -> &'static str {
        match self {
            Api::Eduframe => {
                "Eduframe API v1: all 183 operations (EDUFRAME_BASE_URL, EDUFRAME_API_KEY)"
            }
            Api::EdfiAdmin => {
                "Ed-Fi ODS/API Admin API 2: all 63 operations (EDFI_ADMIN_BASE_URL, EDFI_ADMIN_CLIENT_ID, EDFI_ADMIN_CLIENT_SECRET, EDFI_ADMIN_TENANT)"
            }
            Api::Eduv => {
                "Edu-V Education API 1.1 (EDUV_BASE_URL, EDUV_TOKEN_URL, EDUV_CLIENT_ID, EDUV_CLIENT_SECRET or EDUV_PRIVATE_KEY_PEM)"
            }
            Api::Onderwijsregio => {
                "Onderwijsregio API v2: candidates and interactions (ONDERWIJSREGIO_BASE_URL, ONDERWIJSREGIO_API_KEY)"
            }
            Api::Datahub => {
                "datahub rostering API (DATAHUB_BASE_URL, DATAHUB_CLIENT_ID, DATAHUB_CLIENT_SECRET)"
            }
        }
    }

    /// The API's operations.
    pub fn operations(self) -> &'static [Operation] {
        match self {
            Api::Eduframe => crate::generated::eduframe::OPERATIONS,
            Api::EdfiAdmin => crate::generated::edfi_admin::OPERATIONS,
            Api::Eduv => crate::typed::eduv::OPERATIONS,
            Api::Onderwijsregio => crate::typed::onderwijsregio::OPERATIONS,
            Api::Datahub => crate::typed::datahub::OPERATIONS,
        }
    }

    /// The API named `name`.
    pub fn named(name: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.name() == name)
    }
}

const EXIT_CODES: &str = "Exit codes: 0 success, 1 other errors, 2 usage (also a missing setting), \
3 authentication refused, 4 not found (also a lookup without a match), 5 rate-limited after every \
retry, 130 interrupted by Ctrl-C (with --resume, the same command continues).";

/// The whole command tree.
pub fn command() -> Command {
    let mut cmd = Command::new("edu")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every operation of five education-data APIs, from the command line")
        .long_about(
            "Every operation of five education-data APIs, from the command line.\n\n\
             Credentials come from the same environment variables as each client's \
             Client::from_env(), or from a profile in ~/.config/edu/config.toml (--profile).\n\
             Listings stream page by page; `edu <api> check` tries the credentials.",
        )
        .after_help(EXIT_CODES)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    for api in Api::ALL {
        let mut sub = Command::new(api.name())
            .about(api.about())
            .after_help(EXIT_CODES)
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommand(Command::new("check").about(
                "Fetch a token where there is one and make one cheap call, saying what failed and why",
            ));
        for resource in resource_commands(api.operations()) {
            sub = sub.subcommand(resource);
        }
        cmd = cmd.subcommand(sub);
    }
    cmd.subcommand(
        crate::sim::Args::augment_args(Command::new("sim"))
            .about("Run an API's simulator on loopback and print its environment lines"),
    )
    .subcommand(
        crate::listen::Args::augment_args(Command::new("listen")).about(
            "Receive an API's signed deliveries locally (verified, stored, printed), optionally forwarding them to your service",
        ),
    )
    .subcommand(
        Command::new("completions")
            .about("Print a shell completion script")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(value_parser!(clap_complete::Shell)),
            ),
    )
}

/// The heading of the options every command takes, apart from an operation's own.
const GLOBAL: &str = "Output, listing and settings (every command)";

fn global_args() -> Vec<Arg> {
    vec![
        Arg::new("format")
            .long("format")
            .global(true)
            .help_heading(GLOBAL)
            .value_parser(value_parser!(Format))
            .help("Output format: json (a listing as one array), jsonl, csv, table [default: json on a terminal, jsonl when piped]"),
        Arg::new("fields")
            .long("fields")
            .global(true)
            .help_heading(GLOBAL)
            .value_delimiter(',')
            .value_name("A,B,C")
            .help("Only these fields, in this order (a dotted path such as name.first reaches a nested field); a name no record has is an error listing the fields"),
        Arg::new("limit")
            .long("limit")
            .global(true)
            .help_heading(GLOBAL)
            .value_name("N")
            .value_parser(value_parser!(u64))
            .help("Stop a listing after N records"),
        Arg::new("resume")
            .long("resume")
            .global(true)
            .help_heading(GLOBAL)
            .value_name("FILE")
            .help("Save a listing's position here after each page; run the same command again to continue"),
        Arg::new("output")
            .long("output")
            .short('o')
            .global(true)
            .help_heading(GLOBAL)
            .value_name("FILE")
            .help("Write to FILE instead of standard output (with --resume: exact, no record twice)"),
        Arg::new("profile")
            .long("profile")
            .global(true)
            .help_heading(GLOBAL)
            .env("EDU_PROFILE")
            .value_name("NAME")
            .help("Use this profile of ~/.config/edu/config.toml ahead of the environment"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .global(true)
            .help_heading(GLOBAL)
            .action(ArgAction::SetTrue)
            .help("Show each request on standard error: method, URL (credentials redacted), status, attempts, waits"),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_tree_is_valid_for_every_api() {
        // clap's own checks: no duplicate names, every argument well formed.
        super::command().debug_assert();
    }

    #[test]
    fn every_operation_of_every_table_is_reachable() {
        for api in super::Api::ALL {
            for op in api.operations() {
                let found = super::command()
                    .find_subcommand(api.name())
                    .and_then(|a| a.find_subcommand(op.resource))
                    .and_then(|r| r.find_subcommand(op.name))
                    .is_some();
                assert!(found, "{} {} {}", api.name(), op.resource, op.name);
            }
        }
        assert_eq!(super::Api::Eduframe.operations().len(), 183);
        assert_eq!(super::Api::EdfiAdmin.operations().len(), 63);
    }
}
