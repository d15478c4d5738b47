//! What a person at the charger (or the control API, or a simulated driver) can do.

use csms::ocpp::v16::status_notification::ChargePointErrorCode;

/// One action on a simulated charger; connectors are numbered from 1.
#[derive(Debug, Clone, PartialEq)]
pub enum UserOp {
    /// Plug a car in.
    Plug(u32),
    /// Pull the cable out (stops a running transaction).
    Unplug(u32),
    /// Present an id tag at the reader for this connector.
    Start(u32, String),
    /// Present the tag again to stop the transaction.
    Stop(u32),
    /// A hardware fault on the connector.
    Fault(u32, ChargePointErrorCode),
    /// The fault is repaired.
    Repair(u32),
    /// Drop the connection and stay offline (keeps charging, queues transaction messages).
    Offline,
    /// Connect again and replay what was queued.
    Online,
}
