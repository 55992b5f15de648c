//! One file per route.

pub mod estimators;
pub mod not_found;
pub mod overview;
