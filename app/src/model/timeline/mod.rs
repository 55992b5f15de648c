//! The conversion from mining to AI: milestones, operators' annotations (markdown), the
//! conversion economics and its risk.

pub mod annotation;
pub mod conversion;
pub mod conversion_risk;
pub mod markdown;
pub mod milestones;
