//! Numbers and dates as each language writes them: `1,234.5 MW` / `1.234,5 MW`,
//! `25 Nov 2026` / `25 nov 2026`. The currency stays the data's own (`$`).

use chrono::{Datelike, NaiveDate};

use super::Lang;

/// `v` with `decimals` places, grouped in thousands: `1,234.5` (en), `1.234,5` (it).
pub fn number(lang: Lang, v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    // An empty sum is -0.0; it must not print as "-0".
    let plain = format!("{:.*}", decimals, v + 0.0);
    let (sign, plain) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (int, frac) = plain.split_once('.').unwrap_or((plain, ""));
    let (group, point) = match lang {
        Lang::En => (',', '.'),
        Lang::It => ('.', ','),
    };
    let mut out = String::with_capacity(plain.len() + int.len() / 3 + 2);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// Dollars with a readable magnitude: `$1.23M`, `$45.6k`, `$980` (en); `1,23 Mln $`,
/// `45,6 mila $`, `980 $` (it).
pub fn usd(lang: Lang, v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    let (scaled, decimals, en_unit, it_unit) = if a >= 1e9 {
        (a / 1e9, 2, "B", " Mrd")
    } else if a >= 1e6 {
        (a / 1e6, 2, "M", " Mln")
    } else if a >= 1e4 {
        (a / 1e3, 1, "k", " mila")
    } else {
        (a, 0, "", "")
    };
    let n = number(lang, scaled, decimals);
    match lang {
        Lang::En => format!("{sign}${n}{en_unit}"),
        Lang::It => format!("{sign}{n}{it_unit} $"),
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_IT: [&str; 12] = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];

/// `25 Nov 2026` (en), `25 nov 2026` (it).
pub fn date(lang: Lang, d: NaiveDate) -> String {
    let months = match lang {
        Lang::En => &MONTHS_EN,
        Lang::It => &MONTHS_IT,
    };
    format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
}

/// `Nov 2026` (en), `nov 2026` (it): a month on a timeline.
pub fn month(lang: Lang, d: NaiveDate) -> String {
    let months = match lang {
        Lang::En => &MONTHS_EN,
        Lang::It => &MONTHS_IT,
    };
    format!("{} {}", months[d.month0() as usize], d.year())
}

/// A moment to the minute, in UTC: `25 Nov 2026 10:40 UTC`.
pub fn utc_minute(lang: Lang, t: chrono::DateTime<chrono::Utc>) -> String {
    format!("{} {} UTC", date(lang, t.date_naive()), t.format("%H:%M"))
}

/// A share as a percentage with sensible precision: `100 %`, `12.5 %` / `12,5 %`, `0.15 %`.
pub fn percent(lang: Lang, share: f64) -> String {
    let p = share * 100.0;
    let decimals = if p >= 99.95 || p == 0.0 {
        0
    } else if p >= 10.0 {
        1
    } else {
        2
    };
    format!("{} %", number(lang, p, decimals))
}

/// Hashrate from TH/s with the largest fitting unit: `12.34 EH/s`, `850.0 PH/s`, `200 TH/s`.
pub fn hashrate_ths(lang: Lang, ths: f64) -> String {
    if !ths.is_finite() {
        return "—".into();
    }
    if ths >= 1e6 {
        format!("{} EH/s", number(lang, ths / 1e6, 2))
    } else if ths >= 1e3 {
        format!("{} PH/s", number(lang, ths / 1e3, 1))
    } else {
        format!("{} TH/s", number(lang, ths, 0))
    }
}

/// `123.4 MW` / `123,4 MW`.
pub fn mw(lang: Lang, v: f64) -> String {
    format!("{} MW", number(lang, v, 1))
}

/// `1.2345 BTC` / `1,2345 BTC`.
pub fn btc(lang: Lang, v: f64) -> String {
    format!("{} BTC", number(lang, v, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(number(Lang::En, 1234.5, 1), "1,234.5");
        assert_eq!(number(Lang::It, 1234.5, 1), "1.234,5");
        assert_eq!(number(Lang::It, -1_234_567.891, 2), "-1.234.567,89");
        assert_eq!(number(Lang::En, 999.96, 1), "1,000.0");
        assert_eq!(number(Lang::En, -0.0, 0), "0");
        assert_eq!(number(Lang::It, 12.0, 0), "12");
        assert_eq!(number(Lang::En, f64::NAN, 1), "—");
        assert_eq!(mw(Lang::It, 1234.54), "1.234,5 MW");
    }

    #[test]
    fn money_and_dates_read_naturally_in_each_language() {
        assert_eq!(usd(Lang::En, 1_234_567.0), "$1.23M");
        assert_eq!(usd(Lang::It, 1_234_567.0), "1,23 Mln $");
        assert_eq!(usd(Lang::En, 45_600.0), "$45.6k");
        assert_eq!(usd(Lang::It, 45_600.0), "45,6 mila $");
        assert_eq!(usd(Lang::En, -2_500_000.0), "-$2.50M");
        assert_eq!(usd(Lang::It, 980.4), "980 $");
        assert_eq!(usd(Lang::En, 2.5e9), "$2.50B");
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(date(Lang::En, d), "25 Nov 2026");
        assert_eq!(date(Lang::It, d), "25 nov 2026");
        assert_eq!(month(Lang::It, d.with_month(5).unwrap()), "mag 2026");
        assert_eq!(percent(Lang::It, 0.125), "12,5 %");
        assert_eq!(percent(Lang::En, 1.0), "100 %");
        assert_eq!(hashrate_ths(Lang::It, 12_340_000.0), "12,34 EH/s");
        assert_eq!(btc(Lang::It, 1.23456), "1,2346 BTC");
    }
}
