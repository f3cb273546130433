#!/usr/bin/env python3
"""Writes a copy of an API's spec with the statuses of .ci/fuzz-allowed-statuses.toml added to
each operation's responses (each with its reason as description), for schemathesis's
status-code conformance check. usage: fuzz-spec.py <api> <spec (JSON or YAML)> <out.json>"""
import json
import sys
import tomllib
from pathlib import Path

api, spec_path, out = sys.argv[1:4]
allowed = tomllib.loads((Path(__file__).parent / "fuzz-allowed-statuses.toml").read_text())
rules = allowed.get(api)
if rules is None:
    sys.exit(f"fuzz-spec.py: no allow-list for {api} in fuzz-allowed-statuses.toml")
text = Path(spec_path).read_text()
if spec_path.endswith((".yml", ".yaml")):
    import yaml  # schemathesis brings PyYAML into its virtual environment

    spec = yaml.safe_load(text)
else:
    spec = json.loads(text)


def resolve(p):
    ref = p.get("$ref") if isinstance(p, dict) else None
    if not ref:
        return p
    node = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


examples = rules.get("examples", {})
added = 0
for path, item in spec.get("paths", {}).items():
    for p in item.get("parameters", []):
        if isinstance(p, dict) and p.get("name") in examples:
            p["example"] = examples[p["name"]]
    shared = [resolve(p) for p in item.get("parameters", [])]
    for method in ("get", "put", "post", "delete", "patch"):
        op = item.get(method)
        if not op:
            continue
        for p in op.get("parameters", []):
            if isinstance(p, dict) and p.get("name") in examples:
                p["example"] = examples[p["name"]]
        params = shared + [resolve(p) for p in op.get("parameters", [])]
        has_path = any(p.get("in") == "path" for p in params)
        has_input = "requestBody" in op or any(p.get("in") in ("query", "body", "formData") for p in params)
        wanted = dict(rules.get("all", {}))
        if has_path:
            wanted.update(rules.get("with_path_params", {}))
        if has_input:
            wanted.update(rules.get("with_input", {}))
        responses = op.setdefault("responses", {})
        for status, why in wanted.items():
            if status not in responses and "default" not in responses:
                responses[status] = {"description": f"(allowed for fuzzing) {why}"}
                added += 1
Path(out).write_text(json.dumps(spec))
print(f"{api}: {added} allowed statuses added to the fuzzing copy of its spec")
