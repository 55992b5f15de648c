//! Power markets: contracts and interval prices (ERCOT files and API pages), curtailment
//! against a strike, interval-priced days and the credits a site is paid.

pub mod contract;
pub mod credit;
pub mod curtailment;
pub mod days;
pub mod json;
pub mod price_file;
