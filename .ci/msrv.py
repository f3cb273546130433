"""The workspace's `rust-version` is true of its dependencies: none of the packages in the
lockfile's resolution (all features) declares a newer Rust. Clippy's `incompatible_msrv` (on in
CI's clippy step) checks our own code against the same version."""

import json
import subprocess
import sys
import tomllib


def parse(v):
    return tuple(int(x) for x in v.split(".")) + (0,) * (3 - len(v.split(".")))


ours = tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["rust-version"]
meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
# Registry packages only: the workspace's own members inherit `rust-version`.
deps = [p for p in meta["packages"] if p.get("source") and p.get("rust_version")]
newer = [
    f"{p['name']} {p['version']} needs Rust {p['rust_version']}"
    for p in deps
    if parse(p["rust_version"]) > parse(ours)
]
if newer:
    print(f"rust-version is {ours}, but:", *newer, sep="\n  ")
    sys.exit(1)
floor = max((parse(p["rust_version"]), p["name"]) for p in deps)
print(f"rust-version {ours}: no dependency needs a newer Rust (the highest asked: {floor[1]}, {'.'.join(map(str, floor[0][:2]))})")
