#!/usr/bin/env bash
# Semver check: every published crate's public API against the last release named in
# `.ci/last-release`. A breaking change without the version bump it needs (before 1.0, the
# minor version) fails, with cargo-semver-checks' report of what broke.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(sed -n 's/^rev=//p' .ci/last-release)
released=$(sed -n 's/^version=//p' .ci/last-release)
if ! git cat-file -e "$rev^{commit}" 2>/dev/null; then
  echo "the last release's revision $rev is not in this clone: fetch the whole history (git fetch --unshallow)" >&2
  exit 1
fi
if ! command -v cargo-semver-checks >/dev/null 2>&1; then
  cargo install cargo-semver-checks --locked --version 0.51.0 --quiet
fi
echo "public API against $released ($rev)"
# Publishable library crates only (examples, tests and xtask are `publish = false`).
cargo semver-checks check-release --workspace --baseline-rev "$rev"
