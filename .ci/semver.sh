#!/usr/bin/env bash
# Semver check: every published crate's public API against the last release named in
# `.ci/last-release`. A breaking change without the version bump it needs (before 1.0, the
# minor version) fails, with cargo-semver-checks' report of what broke.
#
# The rustdoc JSON of both sides is built here, all seven crates in one `cargo doc` per side
# and one target directory for both, then handed to cargo-semver-checks: left to itself it
# builds each crate apart (about 2.5 minutes each on 2 cores, 17 in all).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rev=$(sed -n 's/^rev=//p' .ci/last-release)
released=$(sed -n 's/^version=//p' .ci/last-release)
crates=(edu-common eduframe-client edfi-admin-client eduv-education-client onderwijsregio-client datahub-client edu-cli)

if ! git cat-file -e "$rev^{commit}" 2>/dev/null; then
  echo "the last release's revision $rev is not in this clone: fetch the whole history (git fetch --unshallow)" >&2
  exit 1
fi
if ! command -v cargo-semver-checks >/dev/null 2>&1; then
  cargo install cargo-semver-checks --locked --version 0.51.0 --quiet
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target="$root/target/semver"

# rustdoc JSON (all features, as docs.rs documents them) of the seven crates in $1, into $2.
rustdoc_json() {
  local args=()
  for c in "${crates[@]}"; do args+=(-p "$c"); done
  (
    cd "$1"
    RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="-Z unstable-options --output-format json --cap-lints allow" \
      CARGO_TARGET_DIR="$target" cargo doc --no-deps --all-features --quiet "${args[@]}"
  )
  mkdir -p "$2"
  for c in "${crates[@]}"; do
    cp "$target/doc/${c//-/_}.json" "$2/"
  done
}

echo "public API of the published crates against $released ($rev)"
git archive "$rev" | tar -x -C "$work" --one-top-level=baseline
rustdoc_json "$work/baseline" "$work/baseline-json"
rustdoc_json "$root" "$work/current-json"

failed=0
for c in "${crates[@]}"; do
  json=${c//-/_}.json
  echo "== $c"
  cargo semver-checks check-release \
    --baseline-rustdoc "$work/baseline-json/$json" \
    --current-rustdoc "$work/current-json/$json" || failed=1
done
exit "$failed"
