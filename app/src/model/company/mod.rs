//! The company's own portfolio: sites, the portfolio document, daily revenue per site and
//! the ranges and checks they share.

pub mod daily_series;
pub mod portfolio;
pub mod range;
pub mod revenue;
pub mod site;
pub mod validate;
