//! The risk answer as a whole: the bands of `risk`, the dynamics they were drawn with, and the
//! interval-priced power of `risk_inputs`, with where the figures come from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::investor::risk::{Dynamics, MonthBand};
use crate::model::investor::risk_inputs::SitePowerCost;

/// What `GET /api/v1/risk` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RiskReport {
    /// The market day the paths start from.
    pub as_of: NaiveDate,
    pub paths: usize,
    pub seed: u64,
    /// Drift and volatility used, and the days of stored history they were estimated from.
    pub dynamics: Dynamics,
    pub estimated_over_days: i64,
    /// `modelled`: a Monte Carlo over the stored prices' sources (named).
    pub source: String,
    /// Sites whose power is priced from their interval prices over the last year ($ per kWh
    /// drawn, share of time mined); the others pay their flat rate.
    pub power: std::collections::BTreeMap<String, SitePowerCost>,
    pub months: Vec<MonthBand>,
}
