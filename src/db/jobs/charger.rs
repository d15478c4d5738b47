//! Jobs about a charger itself: admission, boot, status, notifications, liveness.

use super::{spelling, ChargerEvent, Outcome};
use crate::db::conn::each_backend;
use crate::db::schema::{
    certificate_requests, charge_points, charger_events, connectors, data_transfers, message_log,
    status_history,
};
use crate::db::DbConn;
use crate::ocpp::v16::boot_notification::{BootNotificationRequest, RegistrationStatus};
use crate::ocpp::v16::data_transfer::DataTransferRequest;
use crate::ocpp::v16::status_notification::StatusNotificationRequest;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error;

/// What a charger actor starts from: the charger as the store knows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChargerSnapshot {
    /// The answer to its last BootNotification; `None` if it never booted.
    pub registration: Option<RegistrationStatus>,
    /// Its own heartbeat interval, if it has one.
    pub heartbeat_interval_secs: Option<u32>,
}

pub(super) fn admit(
    conn: &mut DbConn,
    id: &str,
    create: bool,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    let known: Option<(Option<String>, Option<i32>)> = charge_points::table
        .find(id)
        .select((
            charge_points::boot_status,
            charge_points::heartbeat_interval_secs,
        ))
        .first(conn)
        .optional()?;
    let snapshot = match known {
        Some((status, interval)) => ChargerSnapshot {
            registration: status.as_deref().and_then(RegistrationStatus::parse),
            heartbeat_interval_secs: interval.and_then(|i| u32::try_from(i).ok()),
        },
        None if create => {
            diesel::insert_into(charge_points::table)
                .values((charge_points::id.eq(id), charge_points::created_at.eq(at)))
                .execute(conn)?;
            ChargerSnapshot::default()
        }
        None => return Ok(Outcome::Admitted(None)),
    };
    Ok(Outcome::Admitted(Some(snapshot)))
}

pub(super) fn boot(
    conn: &mut DbConn,
    id: &str,
    req: &BootNotificationRequest,
    default_status: RegistrationStatus,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    use charge_points as cp;
    let preset: Option<(Option<String>, Option<i32>)> = cp::table
        .find(id)
        .select((cp::registration_status, cp::heartbeat_interval_secs))
        .first(conn)
        .optional()?;
    if preset.is_none() {
        diesel::insert_into(cp::table)
            .values((cp::id.eq(id), cp::created_at.eq(at)))
            .execute(conn)?;
    }
    let (preset, heartbeat_interval) = preset.unzip();
    let status = preset
        .flatten()
        .as_deref()
        .and_then(RegistrationStatus::parse)
        .unwrap_or(default_status);
    diesel::update(cp::table.find(id))
        .set((
            cp::boot_status.eq(status.as_str()),
            cp::vendor.eq(req.charge_point_vendor.as_str()),
            cp::model.eq(req.charge_point_model.as_str()),
            cp::charge_point_serial.eq(req.charge_point_serial_number.as_deref()),
            cp::charge_box_serial.eq(req.charge_box_serial_number.as_deref()),
            cp::firmware_version.eq(req.firmware_version.as_deref()),
            cp::iccid.eq(req.iccid.as_deref()),
            cp::imsi.eq(req.imsi.as_deref()),
            cp::meter_type.eq(req.meter_type.as_deref()),
            cp::meter_serial.eq(req.meter_serial_number.as_deref()),
            cp::last_boot_at.eq(at),
            cp::last_seen.eq(at),
        ))
        .execute(conn)?;
    // A reboot ends every session; the charger's own StopTransaction, if it sends one, wins.
    super::ghosts::close_on_boot(conn, id, at)?;
    Ok(Outcome::Registered {
        status,
        heartbeat_interval_secs: heartbeat_interval
            .flatten()
            .and_then(|i| u32::try_from(i).ok()),
    })
}

pub(super) fn status(
    conn: &mut DbConn,
    id: &str,
    req: &StatusNotificationRequest,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    let status = spelling(&req.status);
    let error_code = spelling(&req.error_code);
    let status_at = req.timestamp.map(|t| t.naive()).unwrap_or(at);
    let connector_id = req.connector_id as i32;
    let info = req.info.as_deref();
    let vendor_id = req.vendor_id.as_deref();
    let vendor_error_code = req.vendor_error_code.as_deref();
    let was_available: Option<Option<NaiveDateTime>> = connectors::table
        .find((id, connector_id))
        .select(connectors::available_since)
        .first(conn)
        .optional()?;
    let available_since = free_since(&status, was_available.flatten(), at);
    each_backend!(conn, |c| diesel::insert_into(connectors::table)
        .values((
            connectors::charge_point_id.eq(id),
            connectors::connector_id.eq(connector_id),
            connectors::status.eq(&status),
            connectors::error_code.eq(&error_code),
            connectors::info.eq(info),
            connectors::vendor_id.eq(vendor_id),
            connectors::vendor_error_code.eq(vendor_error_code),
            connectors::status_at.eq(status_at),
            connectors::updated_at.eq(at),
            connectors::available_since.eq(available_since),
        ))
        .on_conflict((connectors::charge_point_id, connectors::connector_id))
        .do_update()
        .set((
            connectors::status.eq(&status),
            connectors::error_code.eq(&error_code),
            connectors::info.eq(info),
            connectors::vendor_id.eq(vendor_id),
            connectors::vendor_error_code.eq(vendor_error_code),
            connectors::status_at.eq(status_at),
            connectors::updated_at.eq(at),
            connectors::available_since.eq(available_since),
        ))
        .execute(c))?;
    diesel::insert_into(status_history::table)
        .values((
            status_history::charge_point_id.eq(id),
            status_history::connector_id.eq(connector_id),
            status_history::status.eq(&status),
            status_history::error_code.eq(&error_code),
            status_history::info.eq(info),
            status_history::vendor_id.eq(vendor_id),
            status_history::vendor_error_code.eq(vendor_error_code),
            status_history::status_at.eq(status_at),
            status_history::received_at.eq(at),
        ))
        .execute(conn)?;
    Ok(Outcome::Done)
}

/// When the connector became free (our clock): kept through Available and Preparing after
/// Available, cleared by any other status.
fn free_since(
    status: &str,
    before: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> Option<NaiveDateTime> {
    match status {
        "Available" => Some(before.unwrap_or(at)),
        "Preparing" => before,
        _ => None,
    }
}

pub(super) fn data_transfer(
    conn: &mut DbConn,
    id: &str,
    req: &DataTransferRequest,
    answered: &str,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    diesel::insert_into(data_transfers::table)
        .values((
            data_transfers::charge_point_id.eq(id),
            data_transfers::vendor_id.eq(req.vendor_id.as_str()),
            data_transfers::message_id.eq(req.message_id.as_deref()),
            data_transfers::data.eq(req.data.as_ref().map(|d| d.to_string())),
            data_transfers::status.eq(answered),
            data_transfers::received_at.eq(at),
        ))
        .execute(conn)?;
    Ok(Outcome::Done)
}

pub(super) fn event(conn: &mut DbConn, e: &ChargerEvent) -> Result<Outcome, Error> {
    diesel::insert_into(charger_events::table)
        .values((
            charger_events::charge_point_id.eq(&e.charge_point_id),
            charger_events::kind.eq(e.kind),
            charger_events::status.eq(&e.status),
            charger_events::request_id.eq(e.request_id),
            charger_events::detail.eq(e.detail.as_deref()),
            charger_events::event_at.eq(e.event_at.map(|t| t.naive()).unwrap_or(e.at)),
            charger_events::received_at.eq(e.at),
        ))
        .execute(conn)?;
    let cp = charge_points::table.find(&e.charge_point_id);
    match e.kind {
        "FirmwareStatusNotification" | "SignedFirmwareStatusNotification" => {
            diesel::update(cp)
                .set(charge_points::firmware_status.eq(&e.status))
                .execute(conn)?;
        }
        "DiagnosticsStatusNotification" | "LogStatusNotification" => {
            diesel::update(cp)
                .set(charge_points::diagnostics_status.eq(&e.status))
                .execute(conn)?;
        }
        _ => {}
    }
    Ok(Outcome::Done)
}

pub(super) fn sign_certificate(
    conn: &mut DbConn,
    id: &str,
    csr: &str,
    certificate_type: Option<&str>,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    diesel::insert_into(certificate_requests::table)
        .values((
            certificate_requests::charge_point_id.eq(id),
            certificate_requests::csr.eq(csr),
            certificate_requests::certificate_type.eq(certificate_type),
            certificate_requests::received_at.eq(at),
        ))
        .execute(conn)?;
    Ok(Outcome::Done)
}

pub(super) fn set_online(
    conn: &mut DbConn,
    id: &str,
    replaced: bool,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    use charge_points as cp;
    diesel::update(cp::table.find(id))
        .set((cp::connected.eq(true), cp::last_seen.eq(at)))
        .execute(conn)?;
    if replaced {
        diesel::update(cp::table.find(id))
            .set((
                cp::connection_replacements.eq(cp::connection_replacements + 1),
                cp::last_replaced_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(Outcome::Done)
}

/// Marks the charger offline and every connector Unavailable (with a history entry each).
pub(super) fn set_offline(
    conn: &mut DbConn,
    id: &str,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    diesel::update(charge_points::table.find(id))
        .set(charge_points::connected.eq(false))
        .execute(conn)?;
    let changed: Vec<i32> = diesel::update(
        connectors::table.filter(
            connectors::charge_point_id
                .eq(id)
                .and(connectors::status.ne("Unavailable")),
        ),
    )
    .set((
        connectors::status.eq("Unavailable"),
        connectors::info.eq("offline"),
        connectors::status_at.eq(at),
        connectors::updated_at.eq(at),
        connectors::available_since.eq(None::<NaiveDateTime>),
    ))
    .returning(connectors::connector_id)
    .get_results(conn)?;
    for connector_id in changed {
        diesel::insert_into(status_history::table)
            .values((
                status_history::charge_point_id.eq(id),
                status_history::connector_id.eq(connector_id),
                status_history::status.eq("Unavailable"),
                status_history::error_code.eq("NoError"),
                status_history::info.eq("offline"),
                status_history::status_at.eq(at),
                status_history::received_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(Outcome::Done)
}

pub(super) fn touch(conn: &mut DbConn, seen: &[(String, NaiveDateTime)]) -> Result<Outcome, Error> {
    for (id, at) in seen {
        diesel::update(charge_points::table.find(id))
            .set(charge_points::last_seen.eq(at))
            .execute(conn)?;
    }
    Ok(Outcome::Done)
}

pub(super) fn prune_message_log(
    conn: &mut DbConn,
    before: NaiveDateTime,
) -> Result<Outcome, Error> {
    let n = diesel::delete(message_log::table.filter(message_log::logged_at.lt(before)))
        .execute(conn)?;
    Ok(Outcome::Pruned(n))
}
