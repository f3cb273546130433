#!/usr/bin/env bash
# The published crates as a user gets them: each is packed and built from its own package
# (`cargo package` verifies), then the README's service quick start ("Add it to your service")
# is built in a fresh crate outside the workspace against the unpacked `.crate` files (through
# `[patch.crates-io]`, never the workspace paths) and run against `edu-sim eduframe`.
#
# Usage: .ci/package.sh [path to a built edu-sim]   (default: target/debug/edu-sim)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sim=${1:-target/debug/edu-sim}
crates=(edu-common eduframe-client edfi-admin-client eduv-education-client onderwijsregio-client datahub-client edu-cli)
version=$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml","rb"))["workspace"]["package"]["version"])')

args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
# --allow-dirty: CI's clone is clean; a maintainer may run this before committing a release.
cargo package --allow-dirty --quiet "${args[@]}"

work=$(mktemp -d)
trap 'kill "${sim_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/packages"
for c in "${crates[@]}"; do
  tar -xzf "target/package/$c-$version.crate" -C "$work/packages"
done

app="$work/quickstart"
mkdir -p "$app/src"
# The quick start, as the README shows it: the first rust block after "## Add it to your service".
python3 - "$root/README.md" > "$app/src/main.rs" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
section = text.split("## Add it to your service", 1)[1].split("\n## ", 1)[0]
block = re.search(r"```rust[^\n]*\n(.*?)```", section, re.S)
if not block:
    sys.exit("README.md: no rust block under 'Add it to your service'")
print(block.group(1), end="")
EOF
patches=""
for c in "${crates[@]}"; do
  patches+="$c = { path = \"$work/packages/$c-$version\" }"$'\n'
done
cat > "$app/Cargo.toml" <<EOF
[package]
name = "quickstart"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
eduframe-client = "$version"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
futures = "0.3"

[patch.crates-io]
$patches
EOF
# The workspace's lockfile: the same dependency versions CI tested.
cp Cargo.lock "$app/Cargo.lock"
(cd "$app" && CARGO_TARGET_DIR="$root/target/quickstart" cargo build --quiet)

# Every path the build used for the SDK is a package, not the workspace.
if grep -q "path+file://$root" "$app/Cargo.lock" 2>/dev/null; then
  echo "the quick start resolved a workspace path" >&2
  exit 1
fi

# Run it against the simulator, with the variables `edu-sim` prints.
"$sim" eduframe --no-rate-limit > "$work/sim.env" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$work/sim.env" ] && break; sleep 0.1; done
set -a; . "$work/sim.env"; set +a
out=$("$root/target/quickstart/debug/quickstart")
echo "quick start against the packaged crates: $out"
case "$out" in
  *" courses") ;;
  *) echo "unexpected output from the quick start: $out" >&2; exit 1 ;;
esac
