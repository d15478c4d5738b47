#!/usr/bin/env python3
"""Validates OCPP 1.6 payloads against the official JSON schemas of the Python `ocpp` package.

Reads JSON lines from stdin, one payload each:

    {"action": "BootNotification", "kind": "request" | "response", "payload": {...}}

and checks each against `ocpp/v16/schemas/<Action>.json` (request) or `<Action>Response.json`
(response), with the validator of the draft the schema declares and with the `date-time` and
`uri` formats enforced. Numbers are read as decimals, so that `multipleOf: 0.1` is exact.

Exits 1 if any payload fails, if a schema the payloads should cover was never exercised, or if
a property (optional ones too, nested ones too) or an enum value of an exercised schema shows
in none of its payloads: so a field our types lack, or an enum value they misspell, cannot go
unnoticed. `--exempt SCHEMA:ITEM` lifts that for one item (what the spec forbids although the
schema allows it).

By default every schema in the folder must be covered. With `--direction outbound` (what a
central system sends) or `--direction inbound` (what it receives), only the schemas of that
direction must be covered and a payload of the other direction is a failure; the direction of
each action comes from `--charge-point-actions` and `--central-system-actions` (comma
separated), which together must name every action that has a schema.

With `--mutate`, nothing is validated: for each payload read, it prints payloads that differ
from it in one place (a property deleted, a string at and past its maxLength, a value outside
its enum, a date-time that is not one, a value of the wrong JSON type) as JSON lines
`{"action", "kind", "mutation", "payload", "verdict"}`, where the verdict is the schema's:
"valid", or the keyword of the first error ("required", "maxLength", "enum", "format",
"type"). The caller checks that its own decoder judges each one alike.

Used by tests/schemas.rs; run `tests/run` to create the Python environment.
"""

import argparse
import copy
import datetime
import decimal
import json
import os
import re
import sys

import jsonschema
import ocpp

SCHEMAS = os.path.join(os.path.dirname(ocpp.__file__), "v16", "schemas")

FORMATS = jsonschema.FormatChecker(formats=())

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@FORMATS.checks("date-time")
def is_date_time(value):
    """RFC 3339 date-time (section 5.6), with a real date and time."""
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@FORMATS.checks("uri")
def is_uri(value):
    """An absolute URI: a scheme, a colon, and no white space (RFC 3986, loosely)."""
    if not isinstance(value, str):
        return True
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value) is not None


def load_validators():
    validators, roots = {}, {}
    for name in sorted(os.listdir(SCHEMAS)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(SCHEMAS, name), encoding="utf-8-sig") as f:
            schema = json.load(f, parse_float=decimal.Decimal)
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
        cls.check_schema(schema)
        validators[name[: -len(".json")]] = cls(schema, format_checker=FORMATS)
        roots[name[: -len(".json")]] = schema
    return validators, roots


def resolve(root, node):
    while "$ref" in node:
        node = root["definitions"][node["$ref"].split("/")[-1]]
    return node


DELETE = object()


def mutations(root, schema, value, path):
    """(what, path, new value or DELETE) for each one-place change of `value`."""
    schema = resolve(root, schema)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                yield "delete", path + [key], DELETE
                yield from mutations(root, properties[key], item, path + [key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from mutations(root, schema.get("items", {}), item, path + [i])
    elif isinstance(value, str):
        if "maxLength" in schema:
            yield "maxLength", path, "x" * schema["maxLength"]
            yield "maxLength+1", path, "x" * (schema["maxLength"] + 1)
        if "enum" in schema:
            yield "enum", path, "NotInTheSpec"
        if schema.get("format") == "date-time":
            yield "format", path, "yesterday"
    if path:
        # The same value in another JSON type (null is left out: we read it as "absent").
        if not isinstance(value, str):
            yield "type:string", path, json.dumps(value, default=str)
        if not isinstance(value, (int, decimal.Decimal)) or isinstance(value, bool):
            yield "type:number", path, 1
        if not isinstance(value, list):
            yield "type:array", path, [value]
        if not isinstance(value, dict):
            yield "type:object", path, {"value": value}


def coverage_items(root, schema, prefix=""):
    """What the payloads of a schema should show at least once: every property it defines, as
    a path like `meterValue[].sampledValue[].unit`, and every enum value, as `path=value`."""
    schema = resolve(root, schema)
    if schema.get("type") == "array":
        yield from coverage_items(root, schema.get("items", {}), prefix + "[]")
    for value in schema.get("enum", []):
        yield f"{prefix}={value}"
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        yield path
        yield from coverage_items(root, sub, path)


def present_items(root, schema, value, prefix=""):
    """The items of `coverage_items` that `value` shows."""
    schema = resolve(root, schema)
    if isinstance(value, list):
        for item in value:
            yield from present_items(root, schema.get("items", {}), item, prefix + "[]")
    elif isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                path = f"{prefix}.{key}" if prefix else key
                yield path
                yield from present_items(root, properties[key], item, path)
    elif isinstance(value, str) and "enum" in schema:
        yield f"{prefix}={value}"


def mutated(payload, path, new):
    payload = copy.deepcopy(payload)
    node = payload
    for key in path[:-1]:
        node = node[key]
    if new is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = new
    return payload


def mutate(validators, roots, lines):
    done = set()  # (schema, change, path with array indices left out): one payload each is enough
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line, parse_float=decimal.Decimal)
        name = schema_name(item["action"], item["kind"])
        root = roots[name]
        for what, path, new in mutations(root, root, item["payload"], []):
            key = (name, what, tuple(p for p in path if isinstance(p, str)))
            if key in done:
                continue
            done.add(key)
            payload = mutated(item["payload"], path, new)
            errors = list(validators[name].iter_errors(payload))
            verdict = errors[0].validator if errors else "valid"
            where = "/".join(str(p) for p in path)
            out = {"action": item["action"], "kind": item["kind"], "mutation": f"{what} {where}",
                   "payload": payload, "verdict": verdict}
            print(json.dumps(out, default=float))


def schema_name(action, kind):
    return action + ("Response" if kind == "response" else "")


def split_list(text):
    return {a for a in (text or "").split(",") if a}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--direction", choices=["outbound", "inbound"])
    parser.add_argument("--charge-point-actions", default="")
    parser.add_argument("--central-system-actions", default="")
    parser.add_argument("--mutate", action="store_true")
    parser.add_argument(
        "--exempt",
        action="append",
        default=[],
        metavar="SCHEMA:ITEM",
        help="a property or enum value not to require, e.g. Reset:type=Soft (repeatable)",
    )
    args = parser.parse_args()

    validators, roots = load_validators()
    if args.mutate:
        mutate(validators, roots, sys.stdin)
        return 0
    failures = []

    # The schemas these payloads must cover.
    required = set(validators)
    if args.direction:
        charge_point = split_list(args.charge_point_actions)
        central_system = split_list(args.central_system_actions)
        actions = {name[: -len("Response")] if name.endswith("Response") else name for name in validators}
        unassigned = sorted(actions - charge_point - central_system)
        if unassigned:
            failures.append("actions with a schema but no direction: " + ", ".join(unassigned))
        senders = central_system if args.direction == "outbound" else charge_point
        receivers = charge_point if args.direction == "outbound" else central_system
        required = {schema_name(a, "request") for a in senders} | {schema_name(a, "response") for a in receivers}
        for name in sorted(required - set(validators)):
            failures.append(f"{name}: no such schema in {SCHEMAS}")
        required &= set(validators)

    exercised = {}
    seen = {}
    count = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        count += 1
        try:
            item = json.loads(line, parse_float=decimal.Decimal)
            action, kind, payload = item["action"], item["kind"], item["payload"]
        except (ValueError, KeyError, TypeError) as e:
            failures.append(f"line {number}: not an {{action, kind, payload}} object: {e}")
            continue
        name = schema_name(action, kind)
        label = f"line {number}: {action} {kind}"
        if kind not in ("request", "response"):
            failures.append(f"{label}: kind must be 'request' or 'response'")
            continue
        if name not in validators:
            failures.append(f"{label}: no schema {name}.json")
            continue
        if name not in required:
            failures.append(f"{label}: not sent in the {args.direction} direction")
        exercised[name] = exercised.get(name, 0) + 1
        seen.setdefault(name, set()).update(present_items(roots[name], roots[name], payload))
        for error in sorted(validators[name].iter_errors(payload), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(payload)"
            failures.append(f"{label}: {where}: {error.message}\n    payload: {json.dumps(payload, default=str)}")

    missing = sorted(required - set(exercised))
    for name in missing:
        failures.append(f"{name}.json: not exercised by any payload")
    for name in sorted(exercised):
        absent = [
            p
            for p in coverage_items(roots[name], roots[name])
            if p not in seen.get(name, set()) and f"{name}:{p}" not in args.exempt
        ]
        if absent:
            failures.append(f"{name}.json: no payload shows {', '.join(absent)}")

    for failure in failures:
        print("FAIL " + failure)
    scope = f"{args.direction} " if args.direction else ""
    print(
        f"validated {count} {scope}payloads against {len(exercised)} of {len(required)} required schemas "
        f"({len(validators)} in {SCHEMAS}): {len(failures)} failure(s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
