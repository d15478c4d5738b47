//! The OCPP protocol itself, apart from any I/O: the OCPP-J envelope ([`frame`]), value types
//! shared by all messages ([`types`]) and the OCPP 1.6 messages ([`v16`]).

pub mod frame;
pub mod types;
pub mod v16;
