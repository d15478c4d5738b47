//! A simulated OCPP 1.6 charge point.
//!
//! The charger itself is sans-I/O ([`charger::Charger`]): frames, time and user actions go in,
//! frames come out. [`runner`] connects it to a real WebSocket and a clock; [`fleet`] runs many
//! and gives each a control handle.
//!
//! - [`models`]: the twelve demo models;
//! - [`connector`]: the pure per-connector state machine;
//! - [`config`]: configuration keys; [`auth`]: local list and cache; [`smart`]: charging profiles;
//! - [`meter`]: the meter and the car; [`driver`]: simulated drivers; [`crash`]: power losses
//!   that forget or remember open sessions;
//! - [`calls`]: central-system CALLs decoded; [`outbox`]: our CALLs, one in flight, offline queue;
//! - [`user`]: what a person at the charger does.

pub mod auth;
pub mod calls;
pub mod charger;
pub mod config;
pub mod connector;
pub mod crash;
pub mod driver;
pub mod fleet;
pub mod meter;
pub mod models;
pub mod outbox;
pub mod runner;
pub mod smart;
pub mod user;
