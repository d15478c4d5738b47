#!/usr/bin/env python3
"""An end-to-end charging session against the central system, driven by a client we did not write.

Uses the reference OCPP client `ocpp.v16.ChargePoint` (Python `ocpp` package), which validates
every request it sends and every answer it receives against the official OCPP 1.6 JSON schemas.
On top of that this script checks what the schemas leave loose (the `date-time` format of
timestamps, that the server picked the `ocpp1.6` subprotocol) and asserts every answer.

    e2e_charger.py --url ws://127.0.0.1:PORT/ocpp --charger-id CP-1 --id-tag TAG \
        [--data-transfer-vendor VENDOR]

Runs BootNotification, Heartbeat, StatusNotification, Authorize (a known and an unknown tag),
StartTransaction, MeterValues (several sampled values), StopTransaction with transactionData and
DataTransfer (a vendor the server handles, and one it does not). The last line on stdout is a
JSON summary of what the server confirmed (transaction id, meter readings, numbers of sampled
values sent), for the Rust driver (tests/python_e2e.rs) to check against the database.
Exits non-zero on any failure: a wrong answer, a CALLERROR, a schema violation, a timeout.
"""

import argparse
import asyncio
import datetime
import json
import logging
import sys

import websockets
from ocpp.v16 import ChargePoint as cp
from ocpp.v16 import call, datatypes
from ocpp.v16.enums import (
    AuthorizationStatus,
    ChargePointErrorCode,
    ChargePointStatus,
    DataTransferStatus,
    Location,
    Measurand,
    Phase,
    ReadingContext,
    Reason,
    RegistrationStatus,
    UnitOfMeasure,
    ValueFormat,
)

CONNECTOR = 1
METER_START = 1000
METER_STOP = 8450


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def now(offset_secs=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_secs)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_utc_timestamp(value, what):
    """The schemas say `format: date-time` but the library does not enforce formats."""
    check(isinstance(value, str), f"{what}: not a string: {value!r}")
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise Failure(f"{what}: not an RFC 3339 date-time: {value!r} ({e})")
    check(parsed.tzinfo is not None, f"{what}: no UTC offset: {value!r}")
    check(value.endswith("Z"), f"{what}: not written in UTC with 'Z': {value!r}")
    return parsed


def sampled_values(energy_wh, context):
    """One reading with many measurands, phases, units and locations."""
    sv = datatypes.SampledValue
    return [
        sv(value=str(energy_wh), context=context, format=ValueFormat.raw,
           measurand=Measurand.energy_active_import_register, location=Location.outlet, unit=UnitOfMeasure.wh),
        sv(value="7.2", context=context, measurand=Measurand.power_active_import, unit=UnitOfMeasure.kw),
        sv(value="10.4", context=context, measurand=Measurand.current_import, phase=Phase.l1, unit=UnitOfMeasure.a),
        sv(value="10.1", context=context, measurand=Measurand.current_import, phase=Phase.l2, unit=UnitOfMeasure.a),
        sv(value="10.3", context=context, measurand=Measurand.current_import, phase=Phase.l3, unit=UnitOfMeasure.a),
        sv(value="230.1", context=context, measurand=Measurand.voltage, phase=Phase.l1_n, unit=UnitOfMeasure.v),
        sv(value="57", context=context, measurand=Measurand.soc, location=Location.ev, unit=UnitOfMeasure.percent),
        sv(value="31.5", context=context, measurand=Measurand.temperature, location=Location.body,
           unit=UnitOfMeasure.celsius),
    ]


async def session(charger, args):
    summary = {"charger_id": args.charger_id, "id_tag": args.id_tag}

    boot = await charger.call(
        call.BootNotification(
            charge_point_model="E2E-Model",
            charge_point_vendor="E2E-Vendor",
            charge_point_serial_number="E2E-SN-1",
            firmware_version="9.8.7",
            meter_type="E2E-Meter",
        ),
        suppress=False,
    )
    check(boot.status == RegistrationStatus.accepted, f"BootNotification: {boot}")
    check(isinstance(boot.interval, int) and boot.interval > 0, f"BootNotification interval: {boot}")
    check_utc_timestamp(boot.current_time, "BootNotification.currentTime")
    summary["heartbeat_interval"] = boot.interval

    heartbeat = await charger.call(call.Heartbeat(), suppress=False)
    server_time = check_utc_timestamp(heartbeat.current_time, "Heartbeat.currentTime")
    skew = abs((server_time - datetime.datetime.now(datetime.timezone.utc)).total_seconds())
    check(skew < 120, f"Heartbeat.currentTime {heartbeat.current_time} is {skew:.0f} s off")

    for connector, status in [(0, ChargePointStatus.available), (CONNECTOR, ChargePointStatus.preparing)]:
        await charger.call(
            call.StatusNotification(
                connector_id=connector, error_code=ChargePointErrorCode.no_error, status=status, timestamp=now()
            ),
            suppress=False,
        )

    auth = await charger.call(call.Authorize(id_tag=args.id_tag), suppress=False)
    check(auth.id_tag_info["status"] == AuthorizationStatus.accepted, f"Authorize {args.id_tag}: {auth}")
    unknown = await charger.call(call.Authorize(id_tag="E2E-NO-SUCH-TAG"), suppress=False)
    check(unknown.id_tag_info["status"] == AuthorizationStatus.invalid, f"Authorize of an unknown tag: {unknown}")

    start = await charger.call(
        call.StartTransaction(connector_id=CONNECTOR, id_tag=args.id_tag, meter_start=METER_START, timestamp=now(-600)),
        suppress=False,
    )
    check(start.id_tag_info["status"] == AuthorizationStatus.accepted, f"StartTransaction: {start}")
    check(isinstance(start.transaction_id, int) and start.transaction_id > 0, f"StartTransaction id: {start}")
    transaction_id = start.transaction_id
    summary["transaction_id"] = transaction_id
    summary["meter_start"] = METER_START

    await charger.call(
        call.StatusNotification(
            connector_id=CONNECTOR, error_code=ChargePointErrorCode.no_error, status=ChargePointStatus.charging,
            timestamp=now(),
        ),
        suppress=False,
    )

    meter_values = [
        datatypes.MeterValue(timestamp=now(-600), sampled_value=sampled_values(METER_START, ReadingContext.transaction_begin)),
        datatypes.MeterValue(timestamp=now(-300), sampled_value=sampled_values(4700, ReadingContext.sample_periodic)),
        datatypes.MeterValue(timestamp=now(-60), sampled_value=sampled_values(8000, ReadingContext.sample_clock)),
    ]
    await charger.call(
        call.MeterValues(connector_id=CONNECTOR, transaction_id=transaction_id, meter_value=meter_values),
        suppress=False,
    )
    summary["meter_values_sampled"] = sum(len(mv.sampled_value) for mv in meter_values)

    transaction_data = [
        datatypes.MeterValue(timestamp=now(), sampled_value=sampled_values(METER_STOP, ReadingContext.transaction_end)),
    ]
    stop = await charger.call(
        call.StopTransaction(
            meter_stop=METER_STOP,
            timestamp=now(),
            transaction_id=transaction_id,
            reason=Reason.ev_disconnected,
            id_tag=args.id_tag,
            transaction_data=transaction_data,
        ),
        suppress=False,
    )
    check(stop.id_tag_info is not None, f"StopTransaction with an idTag got no idTagInfo: {stop}")
    check(stop.id_tag_info["status"] == AuthorizationStatus.accepted, f"StopTransaction: {stop}")
    summary["meter_stop"] = METER_STOP
    summary["stop_reason"] = str(Reason.ev_disconnected)
    summary["transaction_data_sampled"] = sum(len(mv.sampled_value) for mv in transaction_data)

    await charger.call(
        call.StatusNotification(
            connector_id=CONNECTOR, error_code=ChargePointErrorCode.no_error, status=ChargePointStatus.available,
            timestamp=now(),
        ),
        suppress=False,
    )

    if args.data_transfer_vendor:
        handled = await charger.call(
            call.DataTransfer(vendor_id=args.data_transfer_vendor, message_id="e2e", data=json.dumps({"k": [1, 2]})),
            suppress=False,
        )
        check(handled.status == DataTransferStatus.accepted, f"DataTransfer to {args.data_transfer_vendor}: {handled}")
    other = await charger.call(
        call.DataTransfer(vendor_id="com.example.nobody", message_id="x", data="opaque"), suppress=False
    )
    check(other.status == DataTransferStatus.unknown_vendor_id, f"DataTransfer to an unknown vendor: {other}")

    return summary


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the OCPP endpoint, without the charger id")
    parser.add_argument("--charger-id", required=True)
    parser.add_argument("--id-tag", required=True, help="a tag the server knows as Accepted")
    parser.add_argument("--data-transfer-vendor", help="a DataTransfer vendorId the server accepts")
    parser.add_argument("--timeout", type=float, default=20, help="seconds to wait for each answer")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")

    url = f"{args.url.rstrip('/')}/{args.charger_id}"
    async with websockets.connect(url, subprotocols=["ocpp1.6"], open_timeout=args.timeout) as ws:
        check(ws.subprotocol == "ocpp1.6", f"server chose subprotocol {ws.subprotocol!r}, not 'ocpp1.6'")
        charger = cp(args.charger_id, ws, response_timeout=args.timeout)
        reader = asyncio.create_task(charger.start())
        try:
            summary = await session(charger, args)
        finally:
            reader.cancel()
            try:
                await reader
            except (asyncio.CancelledError, websockets.ConnectionClosed):
                pass
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Failure as e:
        print(f"e2e_charger: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # schema violations, CALLERRORs, timeouts, closed connections
        logging.exception("e2e_charger: FAILED with %s", type(e).__name__)
        sys.exit(1)
