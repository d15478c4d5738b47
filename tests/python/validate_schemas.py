#!/usr/bin/env python3
"""Validates OCPP 1.6 payloads against the official JSON schemas of the Python `ocpp` package.

Reads JSON lines from stdin, one payload each:

    {"action": "BootNotification", "kind": "request" | "response", "payload": {...}}

and checks each against `ocpp/v16/schemas/<Action>.json` (request) or `<Action>Response.json`
(response), with the validator of the draft the schema declares and with the `date-time` and
`uri` formats enforced. Numbers are read as decimals, so that `multipleOf: 0.1` is exact.

Exits 1 if any payload fails, or if a schema the payloads should cover was never exercised. By
default every schema in the folder must be covered. With `--direction outbound` (what a central
system sends) or `--direction inbound` (what it receives), only the schemas of that direction
must be covered and a payload of the other direction is a failure; the direction of each
action comes from `--charge-point-actions` and `--central-system-actions` (comma separated),
which together must name every action that has a schema.

Used by tests/schemas.rs; run `tests/run` to create the Python environment.
"""

import argparse
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
    validators = {}
    for name in sorted(os.listdir(SCHEMAS)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(SCHEMAS, name), encoding="utf-8-sig") as f:
            schema = json.load(f, parse_float=decimal.Decimal)
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
        cls.check_schema(schema)
        validators[name[: -len(".json")]] = cls(schema, format_checker=FORMATS)
    return validators


def schema_name(action, kind):
    return action + ("Response" if kind == "response" else "")


def split_list(text):
    return {a for a in (text or "").split(",") if a}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--direction", choices=["outbound", "inbound"])
    parser.add_argument("--charge-point-actions", default="")
    parser.add_argument("--central-system-actions", default="")
    args = parser.parse_args()

    validators = load_validators()
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
        for error in sorted(validators[name].iter_errors(payload), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(payload)"
            failures.append(f"{label}: {where}: {error.message}\n    payload: {json.dumps(payload, default=str)}")

    missing = sorted(required - set(exercised))
    for name in missing:
        failures.append(f"{name}.json: not exercised by any payload")

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
