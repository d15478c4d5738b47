//! Controlling running simulated chargers: a small HTTP API ([`api`]) served by `loadtest sim`
//! and `loadtest demo`, and its command-line client ([`simctl`]).
//!
//! | method | path | does |
//! |---|---|---|
//! | GET  | `/chargers` | every charger with its connectors |
//! | GET  | `/chargers/{id}` | one charger, with its recent events |
//! | POST | `/chargers/{id}/connectors/{n}/plug` | plug a car in |
//! | POST | `/chargers/{id}/connectors/{n}/unplug` | pull the cable |
//! | POST | `/chargers/{id}/connectors/{n}/start?id_tag=TAG` | present a tag; answered once the central system decided |
//! | POST | `/chargers/{id}/connectors/{n}/stop` | stop the transaction |
//! | POST | `/chargers/{id}/connectors/{n}/fault?code=GroundFailure` | a hardware fault |
//! | POST | `/chargers/{id}/connectors/{n}/repair` | the fault is fixed |
//! | POST | `/chargers/{id}/offline`, `/chargers/{id}/online` | leave / rejoin the network |
//!
//! Answers are JSON: `{"ok": true, "message": ...}`, or `{"error": ...}` with 404 (no such
//! charger), 400 (bad parameter), 409 (the charger or the central system refused) or 504 (no
//! verdict from the central system in time). `simctl` exits non-zero on each of them.

pub mod api;
pub mod simctl;
