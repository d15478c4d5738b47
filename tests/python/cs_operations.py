#!/usr/bin/env python3
"""Receives every central-system operation as the reference OCPP 1.6 client.

Uses `ocpp.v16.ChargePoint` (Python `ocpp` package), which checks every CALL it receives
against the official OCPP 1.6 JSON schema of its action before the handler runs (a violation
is answered with a CALLERROR) and checks every confirmation it sends back the same way.

    cs_operations.py --url ws://127.0.0.1:PORT/ocpp --charger-id CP-1 --answers answers.json

Connects, boots (and expects Accepted), with --start-transaction ID_TAG starts a transaction on
connector 1 (expects it Accepted; the session commands need one), then answers each of the 26
central-system actions
with the confirmation given for it in the answers file (a JSON object: action name ->
confirmation payload in spec JSON). Prints `received <Action> <payload>` for each CALL, and,
once the central system closes the connection, a JSON summary as its last line:
`{"received": [actions in order]}`. Exits non-zero on a failure, or after --timeout seconds.
"""

import argparse
import asyncio
import datetime
import json
import logging
import sys

import websockets
from ocpp.charge_point import camel_to_snake_case
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, RegistrationStatus

# The actions a central system sends (DataTransfer goes both ways).
CENTRAL_SYSTEM_ACTIONS = [
    Action.cancel_reservation,
    Action.certificate_signed,
    Action.change_availability,
    Action.change_configuration,
    Action.clear_cache,
    Action.clear_charging_profile,
    Action.data_transfer,
    Action.delete_certificate,
    Action.extended_trigger_message,
    Action.get_composite_schedule,
    Action.get_configuration,
    Action.get_diagnostics,
    Action.get_installed_certificate_ids,
    Action.get_local_list_version,
    Action.get_log,
    Action.install_certificate,
    Action.remote_start_transaction,
    Action.remote_stop_transaction,
    Action.reserve_now,
    Action.reset,
    Action.send_local_list,
    Action.set_charging_profile,
    Action.signed_update_firmware,
    Action.trigger_message,
    Action.unlock_connector,
    Action.update_firmware,
]


class OperationsCharger(ChargePoint):
    """A charge point with one `@on(Action.X)` handler per central-system action."""

    def __init__(self, charger_id, connection, answers):
        super().__init__(charger_id, connection)
        self.answers = answers
        self.received = []


def handler_for(action):
    """The `@on(action)` handler: records the CALL and answers with its confirmation."""

    async def handle(self, **payload):
        self.received.append(str(action))
        print("received", action, json.dumps(payload, sort_keys=True, default=str), flush=True)
        confirmation = getattr(call_result, str(action))
        return confirmation(**camel_to_snake_case(self.answers[str(action)]))

    # The library finds handlers by function name; each needs its own.
    handle.__name__ = f"on_{action.name}"
    return on(action)(handle)


for _action in CENTRAL_SYSTEM_ACTIONS:
    setattr(OperationsCharger, f"on_{_action.name}", handler_for(_action))


async def run(args):
    with open(args.answers) as f:
        answers = json.load(f)
    missing = sorted(str(a) for a in CENTRAL_SYSTEM_ACTIONS if str(a) not in answers)
    if missing:
        raise SystemExit(f"no answer given for {missing}")
    async with websockets.connect(
        f"{args.url}/{args.charger_id}", subprotocols=["ocpp1.6"]
    ) as ws:
        if ws.subprotocol != "ocpp1.6":
            raise SystemExit(f"server chose subprotocol {ws.subprotocol!r}")
        cp = OperationsCharger(args.charger_id, ws, answers)
        serving = asyncio.create_task(cp.start())
        boot = await cp.call(
            call.BootNotification(charge_point_model="Ops", charge_point_vendor="PyOCPP")
        )
        if boot.status != RegistrationStatus.accepted:
            raise SystemExit(f"BootNotification answered {boot.status}")
        print("booted", flush=True)
        if args.start_transaction:
            started = await cp.call(
                call.StartTransaction(
                    connector_id=1,
                    id_tag=args.start_transaction,
                    meter_start=0,
                    timestamp=datetime.datetime.now(datetime.timezone.utc).isoformat(),
                )
            )
            if started.id_tag_info["status"] != "Accepted":
                raise SystemExit(f"StartTransaction answered {started.id_tag_info}")
            print("started", started.transaction_id, flush=True)
        try:
            await serving
        except websockets.exceptions.ConnectionClosed:
            pass
    print(json.dumps({"received": cp.received}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the OCPP endpoint, without the charger id")
    parser.add_argument("--charger-id", required=True)
    parser.add_argument("--answers", required=True, help="JSON file: action -> confirmation")
    parser.add_argument(
        "--start-transaction", metavar="ID_TAG", help="start a transaction with this id tag"
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        asyncio.run(asyncio.wait_for(run(args), args.timeout))
    except asyncio.TimeoutError:
        raise SystemExit(f"not done within {args.timeout} s")


if __name__ == "__main__":
    main()
