//! Number formatting for display: units stated, magnitudes readable.

/// `$1.23M`, `$45.6k`, `$980`; negative with a leading minus.
pub fn usd(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a >= 1e9 {
        format!("{sign}${:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 1e4 {
        format!("{sign}${:.1}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// Hashrate from TH/s with the largest fitting unit: `12.34 EH/s`, `850.0 PH/s`, `200 TH/s`.
pub fn hashrate_ths(ths: f64) -> String {
    if !ths.is_finite() {
        return "—".into();
    }
    // An empty f64 sum is -0.0; it must not print as "-0".
    let ths = ths + 0.0;
    if ths >= 1e6 {
        format!("{:.2} EH/s", ths / 1e6)
    } else if ths >= 1e3 {
        format!("{:.1} PH/s", ths / 1e3)
    } else {
        format!("{ths:.0} TH/s")
    }
}

/// `123.4 MW`
pub fn mw(v: f64) -> String {
    format!("{v:.1} MW")
}

/// `1.2345 BTC`
pub fn btc(v: f64) -> String {
    format!("{v:.4} BTC")
}

/// "1 day", "365 days".
pub fn days(n: u32) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn day_counts_read_as_english() {
        assert_eq!(days(1), "1 day");
        assert_eq!(days(0), "0 days");
        assert_eq!(days(365), "365 days");
    }

    use super::*;

    #[test]
    fn picks_readable_magnitudes() {
        assert_eq!(usd(1_234_567.0), "$1.23M");
        assert_eq!(usd(45_600.0), "$45.6k");
        assert_eq!(usd(980.4), "$980");
        assert_eq!(usd(-2_500_000.0), "-$2.50M");
        assert_eq!(usd(f64::NAN), "—");
        assert_eq!(hashrate_ths(12_340_000.0), "12.34 EH/s");
        assert_eq!(hashrate_ths(850_000.0), "850.0 PH/s");
        assert_eq!(hashrate_ths(200.0), "200 TH/s");
        assert_eq!(hashrate_ths(-0.0), "0 TH/s");
        assert_eq!(mw(12.345), "12.3 MW");
    }
}

/// A moment as "2026-11-25 10:40 UTC".
pub fn utc_minute(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A share as a percentage with sensible precision: "100 %", "12.5 %", "0.15 %".
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p >= 99.95 || p == 0.0 {
        format!("{p:.0} %")
    } else if p >= 10.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.2} %")
    }
}
