//! The `edu` command tree: one subcommand per API (its resources and operations from its
//! table, and `check`), `sim`, `listen` and `completions`. Each command takes only the options
//! that mean something to it: output options on operations, `--limit` and `--resume` on
//! listings, settings (`--profile`, `--verbose`) wherever credentials are read.

use clap::{Arg, Args, Command, value_parser};

use crate::options::settings_args;
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
        .args(settings_args());
    for api in Api::ALL {
        let mut sub = Command::new(api.name())
            .about(api.about())
            .after_help(EXIT_CODES)
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommand(
                Command::new("check")
                    .about("Fetch a token where there is one and make one cheap call, saying what failed and why")
                    .args(settings_args()),
            );
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
        crate::listen::Args::augment_args(Command::new("listen"))
            .about(
                "Receive an API's signed deliveries locally (verified, stored, printed), optionally forwarding them to your service",
            )
            .args(settings_args()),
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
