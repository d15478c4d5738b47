//! `loadtest`: simulated OCPP 1.6 charge points for csms.
//!
//! - [`sim`]: a realistic simulated charger (sans-I/O core, WebSocket runner, fleets);
//! - [`simulate`]: `loadtest sim`, a few chargers with a control API;
//! - [`control`]: that HTTP control API and its command-line client (`loadtest simctl`);
//! - [`demo`]: `loadtest demo`, csms and simulated chargers in one command;
//! - [`history`]: `loadtest history`, a synthetic fleet and history in a csms database;
//! - [`dashboard`]: `loadtest dashboard`, benchmarks of the web dashboard;
//! - [`harness`]: the load harness (`loadtest run`): burst, fleet and storm scenarios, the
//!   report, the data check, runs split over processes;
//! - [`server`]: starting the csms binary; [`net`]: WebSocket connections; [`http`]: plain
//!   HTTP/1.1 requests; [`rest`]: the few csms REST API calls a load run makes;
//!   [`metrics`]: figures shared by all chargers of a process.

pub mod control;
pub mod dashboard;
pub mod demo;
pub mod harness;
pub mod history;
pub mod http;
pub mod metrics;
pub mod net;
pub mod rest;
pub mod server;
pub mod sim;
pub mod simulate;
