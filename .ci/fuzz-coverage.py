#!/usr/bin/env python3
"""The coverage floor of a fuzzing run, from schemathesis's HAR report and its log: fails when
most calls were refused (401, 403, 404, 429), when an operation was not tested (its cases could
not be generated), or when no call got a success answer. Prints the figures, and the operations
that never answered 2xx (their cases were all refused: Edu-V's organisation rules, for one, are
combinations of parameters the spec cannot express, so random cases rarely meet them).
usage: fuzz-coverage.py <api> <spec.json> <base URL> <run.har> <schemathesis log>"""
import collections
import json
import re
import sys

api, spec_path, base_url, har_path, log_path = sys.argv[1:6]
spec = json.load(open(spec_path))
ops = []
for path, item in spec["paths"].items():
    for method in ("get", "put", "post", "delete", "patch"):
        if method in item:
            pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)) + "$"
            ops.append((method.upper(), path, re.compile(pattern)))
# The most specific template first (`/a/current` before `/a/{id}`).
ops.sort(key=lambda o: (o[1].count("{"), -len(o[1])))
entries = json.load(open(har_path))["log"]["entries"]
statuses = collections.Counter()
per_op = collections.defaultdict(collections.Counter)
for e in entries:
    status = e["response"]["status"]
    statuses[status] += 1
    url = e["request"]["url"].split("?")[0]
    if not url.startswith(base_url):
        continue
    rest = url[len(base_url.rstrip("/")):]
    for method, path, pattern in ops:
        if e["request"]["method"] == method and pattern.match(rest):
            per_op[(method, path)][status] += 1
            break
total = sum(statuses.values())
refused = sum(n for s, n in statuses.items() if s in (401, 403, 404, 429))
ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
log = open(log_path, errors="replace").read()
selected = re.search(r"Selected:\s*(\d+)/(\d+)", log)
tested = re.search(r"Tested:\s*(\d+)", log)
print(f"{api}: {total} calls: {ok} answered 2xx ({100 * ok / max(total, 1):.0f}%), {refused} refused "
      f"({100 * refused / max(total, 1):.0f}%); statuses {dict(sorted(statuses.items()))}")
problems = []
if total == 0:
    problems.append("no call reached the simulator")
elif refused * 2 > total:
    problems.append("most calls were refused (401, 403, 404, 429): the run tested the refusals, not the API")
if not selected or not tested:
    problems.append("schemathesis did not say how many operations it tested")
elif int(tested.group(1)) < int(selected.group(2)):
    problems.append(f"only {tested.group(1)} of {selected.group(2)} operations were tested (the others' cases could not be generated)")
never = [f"{m} {p}" for m, p, _ in ops if not any(200 <= s < 300 for s in per_op[(m, p)])]
if never:
    print(f"{api}: {len(never)} of {len(ops)} operations never answered 2xx: " + ", ".join(never[:20])
          + (" ..." if len(never) > 20 else ""))
if ok == 0:
    problems.append("no call answered 2xx")
for p in problems:
    print(f"{api}: COVERAGE FLOOR: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
