//! One actor per charger connection.
//!
//! - [`socket`]: the handshake; hands the WebSocket to an actor.
//! - [`frame_limit`]: refuses an oversized WebSocket message from its header, unread.
//! - [`actor`]: reads frames, answers in order after commit, sends our CALLs one at a time.
//! - [`state`]: the pure state machine (registration, open transactions, reply order, call slot).
//! - [`handlers`]: one handler per charger-initiated action: what to store, what to answer.
//! - [`auth`]: Basic-auth credentials of chargers (security profile 1).

pub mod actor;
pub mod auth;
pub mod frame_limit;
pub mod handlers;
pub mod socket;
pub mod state;
