//! An API's operations as the command line sees them, and the `clap` commands built from them.
//!
//! Eduframe's and Ed-Fi Admin's tables are generated from their kept specs (`cargo xtask
//! generate`, into `src/generated/`); datahub's, Edu-V's and Onderwijsregio's are written next
//! to the typed handlers they call (`src/typed/`). Either way a resource is a subcommand and
//! each operation a subcommand of it, with the operation's path parameters as positional
//! arguments and its query parameters as `--flags`.

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A path segment (a positional argument).
    Path,
    /// A query parameter (a `--flag`).
    Query,
}

/// How a listing pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// One answer.
    None,
    /// A cursor in the `Link` header's `rel="next"` (Eduframe).
    LinkHeader,
    /// `offset` and `limit` until a short page (Ed-Fi Admin).
    Offset,
    /// The typed client's own `.pages()` (datahub, Onderwijsregio).
    Typed,
}

/// One parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The API's name for it.
    pub name: &'static str,
    /// The command line's name (`--per-page`, or the positional's value name).
    pub flag: &'static str,
    /// Path or query.
    pub location: Location,
    /// Its type as the spec says (`integer`, `string`, `date-time`, `string[]`...).
    pub ty: &'static str,
    /// The values the spec allows, when it lists them.
    pub values: &'static [&'static str],
    /// Whether the operation needs it.
    pub required: bool,
    /// The spec's description, one line.
    pub help: &'static str,
    /// A paging parameter the listing sets itself (the cursor, the offset, the page size).
    pub paging: bool,
}

/// One operation.
#[derive(Debug)]
pub struct Operation {
    /// The resource (`courses`), as the client's handler is named.
    pub resource: &'static str,
    /// The operation (`list`, `get`, `create`…), as the handler's method is named.
    pub name: &'static str,
    /// The spec's operation id.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// One line of help.
    pub summary: &'static str,
    /// Path and query parameters.
    pub params: &'static [Param],
    /// Whether it takes a JSON body (`--data`, `--set`).
    pub body: bool,
    /// The body's schema, `$ref`s inlined, as JSON: what types `--set` values (none where the
    /// API describes its body at run time).
    pub body_schema: Option<&'static str>,
    /// Whether and how it pages.
    pub paging: Paging,
}

/// The subcommands for `ops`, grouped by resource.
pub fn resource_commands(ops: &'static [Operation]) -> Vec<Command> {
    let mut resources: Vec<&'static str> = Vec::new();
    for op in ops {
        if !resources.contains(&op.resource) {
            resources.push(op.resource);
        }
    }
    resources
        .into_iter()
        .map(|resource| {
            let mut cmd = Command::new(resource)
                .about(format!("The {resource} operations"))
                .subcommand_required(true)
                .arg_required_else_help(true);
            for op in ops.iter().filter(|o| o.resource == resource) {
                cmd = cmd.subcommand(operation_command(op));
            }
            cmd
        })
        .collect()
}

/// One operation's command: positionals for path parameters, flags for the rest.
fn operation_command(op: &'static Operation) -> Command {
    let mut long = format!("{}\n\n{} {}", op.summary, op.method, op.path);
    if !op.id.is_empty() {
        long.push_str(&format!("  (operation `{}`)", op.id));
    }
    if op.paging != Paging::None {
        long.push_str(
            "\n\nA listing: every page is fetched in turn and the records stream out \
             (--limit N to stop early, --resume FILE to continue an interrupted export).",
        );
    }
    let schema: Option<serde_json::Value> =
        op.body_schema.and_then(|s| serde_json::from_str(s).ok());
    if let Some(schema) = &schema {
        let fields = crate::body_help::describe(schema);
        if !fields.is_empty() {
            long.push_str(
                "\n\nBody fields (--set NAME=VALUE for each, --data for a whole body, \
                 --skeleton for one to fill in):\n",
            );
            long.push_str(&fields);
        }
    }
    let mut cmd = Command::new(op.name)
        .about(op.summary.to_owned())
        .long_about(long);
    for p in op.params.iter().filter(|p| !p.paging) {
        cmd = cmd.arg(param_arg(p));
    }
    if op.paging != Paging::None {
        cmd = cmd.arg(
            Arg::new("page-size")
                .long("page-size")
                .value_name("N")
                .value_parser(clap::value_parser!(u32).range(1..))
                .help("Records per page (the API's own default and maximum apply)"),
        );
    }
    if op.body {
        cmd = cmd.arg(
            Arg::new("data")
                .long("data")
                .short('d')
                .value_name("JSON|@FILE|-")
                .help("The JSON body: inline, @file.json, or - to read standard input"),
        );
        cmd = cmd.arg(
            Arg::new("set")
                .long("set")
                .short('s')
                .value_name("NAME=VALUE")
                .action(clap::ArgAction::Append)
                .help(
                    "Sets one field of the body, typed by the API's schema (repeatable; \
                     `a.b=x` for a nested field, `[1,2]` for a list, `null` to clear; \
                     applied over --data)",
                ),
        );
    }
    if schema.is_some() {
        cmd = cmd.arg(
            Arg::new("skeleton")
                .long("skeleton")
                .action(ArgAction::SetTrue)
                .help(
                    "Print a body to fill in (every field, a value of its type) and send nothing",
                ),
        );
    }
    cmd = cmd.arg(
        Arg::new("dry-run")
            .long("dry-run")
            .value_name("STYLE")
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("http")
            .value_parser(clap::value_parser!(crate::dry_run::Style))
            .help("Print the request that would be sent (a listing's first) and send nothing, not even for a token; credentials are left out. --dry-run=curl prints it as a curl line"),
    );
    cmd = cmd.args(crate::options::output_args());
    // A listing, paged or not, can be cut short; only a paged one has a position to resume.
    if op.paging != Paging::None || op.name.starts_with("list") {
        cmd = cmd.arg(crate::options::limit_arg());
    }
    if op.paging != Paging::None {
        cmd = cmd.arg(crate::options::resume_arg());
    }
    cmd.args(crate::options::settings_args())
}

fn param_arg(p: &'static Param) -> Arg {
    let mut help = if p.help.is_empty() {
        format!("({})", p.ty)
    } else {
        format!("{} ({})", p.help, p.ty)
    };
    let mut arg = Arg::new(p.flag).value_name(p.flag.to_uppercase().replace('-', "_"));
    if p.location == Location::Path {
        arg = arg.required(true);
    } else {
        arg = arg.long(p.flag).required(p.required);
    }
    if p.ty.ends_with("[]") {
        arg = arg.action(ArgAction::Append);
        help.push_str("; repeat for several");
    }
    let scalar = p.ty.trim_end_matches("[]");
    if !p.values.is_empty() {
        arg = arg.value_parser(PossibleValuesParser::new(p.values.iter().copied()));
    } else if scalar == "boolean" {
        arg = arg.value_parser(PossibleValuesParser::new(["true", "false"]));
    } else if scalar == "integer" {
        arg = arg.value_parser(clap::value_parser!(i64));
    } else if scalar == "number" {
        arg = arg.value_parser(clap::value_parser!(f64));
    }
    arg.help(help)
}

/// The values given for `p`, as text, in order.
pub fn values_of(m: &ArgMatches, p: &Param) -> Vec<String> {
    let scalar = p.ty.trim_end_matches("[]");
    if p.values.is_empty() && scalar == "integer" {
        m.get_many::<i64>(p.flag)
            .into_iter()
            .flatten()
            .map(i64::to_string)
            .collect()
    } else if p.values.is_empty() && scalar == "number" {
        m.get_many::<f64>(p.flag)
            .into_iter()
            .flatten()
            .map(f64::to_string)
            .collect()
    } else {
        m.get_many::<String>(p.flag)
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

/// The page size a listing asks for: `--page-size`, no larger than `--limit` (a listing of 3
/// records asks for pages of 3, not of the API's default).
pub fn page_size(m: &ArgMatches) -> Option<u32> {
    let size = m.try_get_one::<u32>("page-size").ok().flatten().copied();
    let limit = m
        .try_get_one::<u64>("limit")
        .ok()
        .flatten()
        .and_then(|n| u32::try_from(*n).ok())
        .filter(|n| *n > 0);
    match (size, limit) {
        (Some(s), Some(l)) => Some(s.min(l)),
        (s, l) => s.or(l),
    }
}

/// `n`, or the API's maximum page size when `n` is larger, with a note on standard error: a
/// larger page would be refused by the server.
pub fn clamped(n: u32, max: u32, api: &str) -> u32 {
    if n > max {
        eprintln!(
            "edu: note: --page-size {n} is above {api}'s maximum of {max}; asking for pages of {max}"
        );
        max
    } else {
        n
    }
}

/// The operation `resource name` of `ops`.
pub fn find(ops: &'static [Operation], resource: &str, name: &str) -> Option<&'static Operation> {
    ops.iter()
        .find(|o| o.resource == resource && o.name == name)
}
