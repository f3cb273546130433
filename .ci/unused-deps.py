#!/usr/bin/env python3
"""Fails when a library crate of the workspace declares a normal dependency its code never names.

A `cargo machete`-style check without installing anything: for each member's `[dependencies]`,
the crate's name (dashes as underscores) must appear in its `src/` as a path (`name::`), a `use`,
an attribute or a macro (`name!`). `package = ".."` renames are followed. Run from the workspace
root: `python3 .ci/unused-deps.py`.
"""
import pathlib
import re
import sys
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent
members = tomllib.loads((root / "Cargo.toml").read_text())["workspace"]["members"]
failed = []
for member in members:
    manifest = tomllib.loads((root / member / "Cargo.toml").read_text())
    deps = manifest.get("dependencies", {})
    sources = "\n".join(
        p.read_text(errors="replace")
        for p in (root / member).glob("src/**/*.rs")
    )
    build = root / member / "build.rs"
    if build.exists():
        sources += build.read_text()
    for name, spec in deps.items():
        crate = (spec.get("package", name) if isinstance(spec, dict) else name).replace("-", "_")
        if name != crate.replace("_", "-") and isinstance(spec, dict) and "package" in spec:
            crate = name.replace("-", "_")
        c = re.escape(crate)
        if not re.search(rf"\b{c}\s*(::|!)|\buse {c}\b|\buse\s*\{{[^}}]*\b{c}\b", sources):
            failed.append(f"{member}: `{name}` is a dependency but its code never names `{crate}`")
if failed:
    print("unused dependencies:\n  " + "\n  ".join(failed))
    sys.exit(1)
print(f"every normal dependency of the {len(members)} workspace crates is used")
