//! One file per route.

pub mod device;
pub mod estimators;
pub mod fleet;
pub mod not_found;
pub mod overview;
