#!/usr/bin/env bash
# The fuzzer in CI (issues #26, #33): schemathesis, from PyPI in a virtual environment, against
# each simulator run standalone through `edu-sim`, with the kept spec of its API. A server error,
# a dropped connection, an answer that violates the spec, or a status the spec does not list (and
# .ci/fuzz-allowed-statuses.toml does not allow, with its reason) fails the run; so does a run
# below the coverage floor (.ci/fuzz-coverage.py). Bounded: a few examples per operation, a time
# budget per API.
#
# usage: .ci/fuzz-sims.sh <edu-sim binary> [api...]   (default: all five)
# (EDU_FUZZ_VENV: the virtual environment; EDU_FUZZ_MAX_SECONDS: the budget per API;
# EDU_FUZZ_EXAMPLES: examples per operation; EDU_FUZZ_SEED: the seed, 1 unless given;
# EDU_FUZZ_KEEP=1 keeps the spec copy, log and HAR.)
set -euo pipefail
cd "$(dirname "$0")/.."
SIM="$1"; shift
APIS=("$@"); [ ${#APIS[@]} -eq 0 ] && APIS=(eduframe edfi-admin eduv datahub onderwijsregio)
VENV="${EDU_FUZZ_VENV:-target/schemathesis-venv}"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi
ST="$VENV/bin/schemathesis"
EXAMPLES="${EDU_FUZZ_EXAMPLES:-10}"
status=0
# token URL, then form fields as name=value, then optional --basic id secret: prints the token.
token() {
  python3 - "$@" <<'PY'
import base64, json, sys, urllib.parse, urllib.request
url, rest = sys.argv[1], sys.argv[2:]
headers, fields = {}, []
while rest:
    if rest[0] == "--basic":
        creds = base64.b64encode(f"{rest[1]}:{rest[2]}".encode()).decode()
        headers["Authorization"] = f"Basic {creds}"
        rest = rest[3:]
    else:
        fields.append(tuple(rest[0].split("=", 1)))
        rest = rest[1:]
req = urllib.request.Request(url, urllib.parse.urlencode(fields).encode(), headers)
print(json.load(urllib.request.urlopen(req))["access_token"])
PY
}
for api in "${APIS[@]}"; do
  out=$(mktemp); err=$(mktemp)
  "$SIM" "$api" --no-rate-limit >"$out" 2>"$err" &
  pid=$!
  # Every variable the API's client reads must be printed before fuzzing starts (fuzzing with
  # an empty credential would test nothing): waited for, 10 s at most, then a failure.
  case "$api" in
    eduframe) needs="EDUFRAME_BASE_URL EDUFRAME_API_KEY" ;;
    edfi-admin) needs="EDFI_ADMIN_BASE_URL EDFI_ADMIN_CLIENT_ID EDFI_ADMIN_CLIENT_SECRET" ;;
    eduv) needs="EDUV_BASE_URL EDUV_TOKEN_URL EDUV_CLIENT_ID EDUV_CLIENT_SECRET" ;;
    datahub) needs="DATAHUB_BASE_URL DATAHUB_CLIENT_ID DATAHUB_CLIENT_SECRET" ;;
    onderwijsregio) needs="ONDERWIJSREGIO_BASE_URL ONDERWIJSREGIO_API_KEY" ;;
    *) needs="" ;;
  esac
  ready=""
  for _ in $(seq 100); do
    ready=yes
    for v in $needs; do grep -q "^$v=." "$out" || ready=""; done
    [ -n "$ready" ] && break
    sleep 0.1
  done
  if [ -z "$ready" ]; then
    echo "the $api simulator did not print all of: $needs" >&2
    cat "$err" >&2
    exit 1
  fi
  var() { grep "^$1=" "$out" | head -1 | cut -d= -f2-; }
  case "$api" in
    eduframe)
      spec=eduframe-client/spec/eduframe-v1.json
      base=$(var EDUFRAME_BASE_URL)
      auth="Authorization: Bearer $(var EDUFRAME_API_KEY)" ;;
    edfi-admin)
      spec=edfi-admin-client/spec/admin-api-2.3.json
      base=$(var EDFI_ADMIN_BASE_URL)
      auth="Authorization: Bearer $(token "$base/connect/token" grant_type=client_credentials \
        "client_id=$(var EDFI_ADMIN_CLIENT_ID)" "client_secret=$(var EDFI_ADMIN_CLIENT_SECRET)" \
        scope=edfi_admin_api/full_access)" ;;
    eduv)
      spec=eduv-education-client/spec/education-api-1.1.1.json
      base=$(var EDUV_BASE_URL)
      auth="Authorization: Bearer $(token "$(var EDUV_TOKEN_URL)" grant_type=client_credentials \
        scope=eduv.education --basic "$(var EDUV_CLIENT_ID)" "$(var EDUV_CLIENT_SECRET)")" ;;
    datahub)
      # The project's own description of the API (the vendor publishes none).
      spec=datahub-client/spec/datahub-v1.yaml
      root=$(var DATAHUB_BASE_URL)
      base="$root/datahub/services/v1"
      auth="Authorization: Bearer $(token "$root/datahub/oauth/token" grant_type=client_credentials \
        --basic "$(var DATAHUB_CLIENT_ID)" "$(var DATAHUB_CLIENT_SECRET)")" ;;
    onderwijsregio)
      # The project's own description of the API (the vendor publishes none).
      spec=onderwijsregio-client/spec/onderwijsregio-v2.yaml
      base=$(var ONDERWIJSREGIO_BASE_URL)
      auth="x-api-key: $(var ONDERWIJSREGIO_API_KEY)" ;;
    *) echo "unknown API $api" >&2; exit 2 ;;
  esac
  echo "== schemathesis: $api ($spec) against $base"
  work=$(mktemp -d)
  log="$work/schemathesis.log"
  # The statuses the simulator may answer beyond the spec's, each with its reason, are added to
  # a copy of the spec (.ci/fuzz-allowed-statuses.toml); any other undocumented status fails.
  "$VENV/bin/python" .ci/fuzz-spec.py "$api" "$spec" "$work/spec.json"
  set +e
  "$ST" run "$work/spec.json" --url "$base" -H "$auth" \
      --checks not_a_server_error,response_schema_conformance,status_code_conformance \
      --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --seed "${EDU_FUZZ_SEED:-1}" -w 2 \
      --report har --report-har-path "$work/run.har" \
      --max-time "${EDU_FUZZ_MAX_SECONDS:-90}" --no-color 2>&1 | tee "$log" | cut -c1-2000
  # (Lines are cut for the CI log only: an internal error of schemathesis's own can print one
  # line of some 200 kB. The checks below read the whole output.)
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    # A failed check (a 5xx, an answer outside the spec) or an error of the simulator's making
    # (a dropped connection, a timeout) fails the run. A "Runtime Error" is schemathesis failing
    # inside itself while generating a case (seen: CPython 3.11's "AST constructor recursion
    # depth mismatch" in hypothesis); it says nothing about the simulator, so it is reported
    # and tolerated, as long as nothing else went wrong.
    others=$(awk '/^Errors:/{e=1;next} e&&/^[[:space:]]*$/{e=0} e' "$log" | grep -v "Runtime Error" || true)
    if grep -q "^Failures:" "$log" || [ -n "$others" ] || ! grep -q "^Errors:" "$log"; then
      echo "schemathesis found failures in the $api simulator" >&2
      status=1
    else
      echo "(schemathesis raised an internal error of its own while generating a case; every check it ran on the $api simulator passed)"
    fi
  fi
  # The coverage floor: most calls refused, an operation untested, or too many operations that
  # never answered 2xx is a failed run, not a warning.
  if ! "$VENV/bin/python" .ci/fuzz-coverage.py "$api" "$work/spec.json" "$base" "$work/run.har" "$log"; then
    status=1
  fi
  if [ -n "${EDU_FUZZ_KEEP:-}" ]; then echo "(kept: $work)"; else rm -rf "$work"; fi
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  rm -f "$out" "$err"
done
exit $status
