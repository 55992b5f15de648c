//! Input validation shared by the estimators and the JSON API: one error that names the field.

use serde::{Deserialize, Serialize};

/// A rejected input: which field, and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[error("{field}: {reason}")]
pub struct InputError {
    pub field: String,
    pub reason: String,
}

impl InputError {
    pub fn new(field: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// A finite number ≥ 0.
pub fn non_negative(field: &str, v: f64) -> Result<f64, InputError> {
    if !v.is_finite() {
        return Err(InputError::new(field, "must be a finite number"));
    }
    if v < 0.0 {
        return Err(InputError::new(field, "must not be negative"));
    }
    Ok(v)
}

/// A finite number > 0.
pub fn positive(field: &str, v: f64) -> Result<f64, InputError> {
    let v = non_negative(field, v)?;
    if v == 0.0 {
        return Err(InputError::new(field, "must be greater than zero"));
    }
    Ok(v)
}

/// A finite number within `[lo, hi]`.
pub fn within(field: &str, v: f64, lo: f64, hi: f64) -> Result<f64, InputError> {
    if !v.is_finite() || v < lo || v > hi {
        return Err(InputError::new(
            field,
            format!("must be between {lo} and {hi}"),
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_nan_infinity_and_negatives_with_the_field_name() {
        assert_eq!(non_negative("x", f64::NAN).unwrap_err().field, "x");
        assert!(non_negative("x", f64::INFINITY).is_err());
        assert!(non_negative("x", -0.1).is_err());
        assert_eq!(non_negative("x", 0.0), Ok(0.0));
        assert!(positive("d", 0.0).is_err());
        assert!(within("p", 100.1, 0.0, 100.0).is_err());
        assert_eq!(within("p", 2.0, 0.0, 100.0), Ok(2.0));
    }
}
