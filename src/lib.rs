//! `csms`: an OCPP 1.6-J Central System.
//!
//! A charger frame travels `socket -> frame codec -> charger actor -> handler -> DB writer`;
//! a command travels back `HTTP handler -> typed actor message -> charger actor -> socket`.
//!
//! - [`ocpp`]: the protocol as types: the OCPP-J envelope and every OCPP 1.6 message.
//! - [`charger`]: the handshake and one actor per charger connection.
//! - [`supervisor`]: registry of connected chargers, liveness, online/offline in the store.
//! - [`db`]: migrations, the group-committing writer actor, the read pool.
//! - [`api`]: the REST API under `/api/v1`: auth, commands, reads, OpenAPI.
//! - [`dashboard`]: the web dashboard at `/`: server-rendered pages, live over SSE.
//! - [`server`]: wires it all to one HTTP listener; graceful shutdown.
//! - [`services`]: what the parts share.
//! - [`metrics`]: Prometheus counters and histograms, `GET /metrics`.
//! - [`config`], [`cli`]: configuration and command line.
//! - [`lock`]: one server per data directory.

pub mod api;
pub mod auth;
pub mod charger;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod events;
pub mod lock;
pub mod metrics;
pub mod ocpp;
pub mod server;
pub mod services;
pub mod supervisor;

/// The commented example configuration (`config.example.toml`).
pub const CONFIG_EXAMPLE: &str = include_str!("../config.example.toml");
