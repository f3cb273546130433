//! `cargo xtask`: the project's code generation.
//!
//! - `cargo xtask normalize [API] [--check]`: rewrites each client's kept OpenAPI document
//!   (`<crate>/spec/*.json`) from the upstream spec in the reference directory
//!   (`../shared/reference` by default, or `$EDU_REFERENCE_DIR`), applying that API's scripted
//!   fixes (operation ids, single response types, required fields, server-side corrections).
//! - `cargo xtask generate [API] [--check]`: regenerates `<crate>/src/generated.rs` from the kept
//!   spec with progenitor. With `--check`, nothing is written and the command fails if the
//!   committed file differs from what the spec generates (CI's drift check).
//!
//! `API` is one of `eduframe`, `eduframe-organization` (a spec the project writes itself, so it
//! has no normalisation), `edfi-admin`, `eduv`; without it, all of them.

mod generate;
mod normalize;
mod open_enums;
mod spec;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// One generated client.
pub struct Api {
    /// Name used on the command line.
    pub name: &'static str,
    /// Crate folder, relative to the workspace root.
    pub crate_dir: &'static str,
    /// The kept spec, relative to the crate folder.
    pub spec: &'static str,
    /// Upstream spec, relative to the reference directory; `None` for a spec the project writes itself.
    pub upstream: Option<&'static str>,
    /// Generated source, relative to the crate folder.
    pub output: &'static str,
    /// The scripted normalisation from upstream to the kept spec.
    pub normalize: fn(serde_json::Value) -> Result<serde_json::Value>,
}

pub const APIS: &[Api] = &[
    Api {
        name: "eduframe",
        crate_dir: "eduframe-client",
        spec: "spec/eduframe-v1.json",
        upstream: Some("eduframe/eduframe_v1.json"),
        output: "src/generated.rs",
        normalize: normalize::eduframe::normalize,
    },
    Api {
        name: "edfi-admin",
        crate_dir: "edfi-admin-client",
        spec: "spec/admin-api-2.3.json",
        upstream: Some("edfi-admin/admin-api-2.3.0.yaml"),
        output: "src/generated.rs",
        normalize: normalize::edfi_admin::normalize,
    },
    Api {
        name: "eduv",
        crate_dir: "eduv-education-client",
        spec: "spec/education-api-1.1.1.json",
        upstream: Some("eduv/afsprakenstelsel-apis/education-api.yaml"),
        output: "src/generated.rs",
        normalize: normalize::eduv::normalize,
    },
    Api {
        name: "eduframe-organization",
        crate_dir: "eduframe-client",
        spec: "spec/eduframe-organization.json",
        upstream: None,
        output: "src/generated_organization.rs",
        normalize: normalize::identity,
    },
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn reference_dir(root: &Path) -> PathBuf {
    std::env::var_os("EDU_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/reference"))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        bail!("usage: cargo xtask <normalize|generate> [API] [--check]");
    };
    let check = args.iter().any(|a| a == "--check");
    let only: Vec<&str> = args[1..]
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    for name in &only {
        if !APIS.iter().any(|a| a.name == *name) {
            bail!(
                "unknown API `{name}`; expected one of eduframe, eduframe-organization, edfi-admin, eduv"
            );
        }
    }
    let root = workspace_root();
    let selected = APIS
        .iter()
        .filter(|a| only.is_empty() || only.contains(&a.name));
    let mut drift = Vec::new();
    for api in selected {
        let crate_dir = root.join(api.crate_dir);
        let spec_path = crate_dir.join(api.spec);
        if !crate_dir.join("spec").is_dir() {
            eprintln!(
                "skipping {}: {} has no spec/ folder, so it is not a generated client yet",
                api.name, api.crate_dir
            );
            continue;
        }
        match cmd.as_str() {
            "normalize" => {
                let Some(upstream) = api.upstream else {
                    continue; // the project writes this spec itself
                };
                let upstream_path = reference_dir(&root).join(upstream);
                let upstream = spec::read_any(&upstream_path).with_context(|| {
                    format!("reading upstream spec {}", upstream_path.display())
                })?;
                let kept = (api.normalize)(upstream)
                    .with_context(|| format!("normalising {}", api.name))?;
                let text = spec::to_pretty_json(&kept)?;
                if spec::write_or_check(&spec_path, &text, check)? {
                    drift.push(spec_path);
                }
            }
            "generate" => {
                let out = crate_dir.join(api.output);
                let code = generate::generate(&spec_path)
                    .with_context(|| format!("generating {}", api.name))?;
                if spec::write_or_check(&out, &code, check)? {
                    drift.push(out);
                }
            }
            other => bail!("unknown command `{other}`; expected normalize or generate"),
        }
    }
    if !drift.is_empty() {
        let list: Vec<String> = drift.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "{} out of date:\n  {}\nrun `cargo xtask {cmd}` and commit the result",
            if list.len() == 1 {
                "this file is"
            } else {
                "these files are"
            },
            list.join("\n  ")
        );
    }
    Ok(())
}
