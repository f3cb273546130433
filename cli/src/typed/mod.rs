//! The operation tables of the clients without a generated layer, each calling the typed
//! handlers.

pub mod datahub;
pub mod eduv;
pub mod onderwijsregio;
