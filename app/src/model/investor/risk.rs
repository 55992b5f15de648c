//! Risk bands: a seeded Monte Carlo of BTC price (log-returns with drift and volatility) and
//! network difficulty (log growth with its own volatility), month by month, priced against the
//! fleet's hashrate and power, beside contracted AI revenue (firm for colocation, with a
//! utilisation risk for GPU-hour contracts). Pure and deterministic for a seed, so the browser
//! can run it for the calculator and a test can pin it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::mining::chain::HASHES_PER_DIFFICULTY;

/// What one month is, before any randomness: the fleet's expected BTC at a difficulty of 1
/// (hashrate × seconds × (subsidy + fees) ÷ 2³², summed over the month's days), the power it
/// pays for, and the AI revenue contracted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MonthInputs {
    pub month: NaiveDate,
    /// Years from the start to the month's end (the step the price and difficulty move by).
    pub years: f64,
    /// BTC mined in the month's days the forward curve does not price, at difficulty 1:
    /// divide by the month's difficulty.
    pub btc_at_unit_difficulty: f64,
    /// Mining revenue of the days a hashprice forward prices, USD: the expected path; a path
    /// moves it by its hashprice against the expected one (price up, difficulty down).
    #[serde(default)]
    pub forward_mining_usd: f64,
    pub mining_power_usd: f64,
    /// Colocation: paid whatever happens.
    pub ai_firm_usd: f64,
    /// GPU-hour contracts at their assumed utilisation: moves with utilisation.
    pub ai_gpu_hours_usd: f64,
}

impl MonthInputs {
    /// `hashrate_ths` hashing over `days` days whose block reward (subsidy + fees) is
    /// `reward_btc(day)`.
    pub fn btc_at_unit_difficulty(hashrate_ths: f64, days: impl IntoIterator<Item = f64>) -> f64 {
        let per_day = hashrate_ths * 1e12 * 86_400.0 / HASHES_PER_DIFFICULTY;
        days.into_iter().map(|reward| per_day * reward).sum()
    }
}

/// The market the paths start from and how it moves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Dynamics {
    pub btc_usd: f64,
    pub difficulty: f64,
    /// μ: expected log-return per year plus half the variance (so E[S_t] = S₀·e^{μt}).
    pub btc_drift_per_year: f64,
    /// σ of BTC's log-returns per year.
    pub btc_vol_per_year: f64,
    /// Difficulty's expected log growth per year, and its volatility.
    pub difficulty_growth_per_year: f64,
    pub difficulty_vol_per_year: f64,
    /// σ of the utilisation multiplier of GPU-hour revenue (0: as contracted).
    pub gpu_utilisation_vol: f64,
}

/// P10, P50, P90 of a figure across paths (and P5 for revenue-at-risk).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Band {
    pub p5: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub mean: f64,
}

/// One month's bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthBand {
    pub month: NaiveDate,
    pub btc_usd: Band,
    pub mining_usd: Band,
    pub mining_margin_usd: Band,
    pub ai_usd: Band,
    pub total_usd: Band,
    /// 95 % monthly revenue-at-risk: the mean total less its 5th percentile, USD.
    pub revenue_at_risk_95_usd: f64,
    /// Share of paths on which mining's margin (revenue − power) is negative.
    pub p_mining_margin_negative: f64,
}

/// SplitMix64: small, fast, and the same sequence on every platform (the browser included).
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed,
            spare: None,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller, both halves used).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let (u, v) = (self.unit(), self.unit());
        // libm: the same bits natively and in wasm (the browser's fan equals the server's).
        let r = (-2.0 * libm::log(u)).sqrt();
        let theta = std::f64::consts::TAU * v;
        self.spare = Some(r * libm::sin(theta));
        r * libm::cos(theta)
    }
}

/// The figures of one path in one month.
#[derive(Debug, Clone, Copy, Default)]
struct PathMonth {
    btc_usd: f64,
    mining: f64,
    margin: f64,
    ai: f64,
}

/// One path's month at `btc_usd` and `difficulty`; `hashprice_vs_expected` is the path's
/// (price ÷ difficulty) over the expected path's, which moves the forward-priced revenue.
fn path_month(
    m: &MonthInputs,
    btc_usd: f64,
    difficulty: f64,
    utilisation: f64,
    hashprice_vs_expected: f64,
) -> PathMonth {
    let mining = m.btc_at_unit_difficulty / difficulty * btc_usd
        + m.forward_mining_usd * hashprice_vs_expected;
    PathMonth {
        btc_usd,
        mining,
        margin: mining - m.mining_power_usd,
        ai: m.ai_firm_usd + m.ai_gpu_hours_usd * utilisation,
    }
}

/// The months without randomness: price and difficulty on their expected paths
/// (S₀·e^{μt}, D₀·e^{gt}), utilisation as contracted.
pub fn deterministic(months: &[MonthInputs], d: &Dynamics) -> Vec<(f64, f64, f64)> {
    months
        .iter()
        .map(|m| {
            let (s, diff) = expected(d, m.years);
            let p = path_month(m, s, diff, 1.0, 1.0);
            (p.mining, p.margin, p.ai)
        })
        .collect()
}

/// Price and difficulty on their expected paths after `years`: S₀·e^{μt}, D₀·e^{gt}.
fn expected(d: &Dynamics, years: f64) -> (f64, f64) {
    (
        d.btc_usd * libm::exp(d.btc_drift_per_year * years),
        d.difficulty * libm::exp(d.difficulty_growth_per_year * years),
    )
}

/// `paths` seeded paths over `months`; bands per month.
pub fn simulate(months: &[MonthInputs], d: &Dynamics, paths: usize, seed: u64) -> Vec<MonthBand> {
    let n = months.len();
    let paths = paths.max(1);
    // Column per month: each month's figures across paths, filled path by path.
    let mut cols: Vec<Vec<PathMonth>> = vec![Vec::with_capacity(paths); n];
    let mut rng = Rng::new(seed);
    // The forward is the market's expected hashprice: a path's revenue on it moves by the path's
    // price over the expected price times the expected difficulty over the path's. Difficulty's
    // log is N(ln D₀ + gt, σ²t), so E[1/D] = e^{−ln D₀ − gt + σ²t/2}: the divisor D₀·e^{gt − σ²t/2}
    // keeps the forward the mean.
    let dv = d.difficulty_vol_per_year;
    let expected_path: Vec<(f64, f64)> = months
        .iter()
        .map(|m| {
            let (s, diff) = expected(d, m.years);
            (s, diff * libm::exp(-0.5 * dv * dv * m.years))
        })
        .collect();
    for _ in 0..paths {
        let (mut ln_s, mut ln_d, mut t) = (libm::log(d.btc_usd), libm::log(d.difficulty), 0.0);
        for (i, m) in months.iter().enumerate() {
            let dt = (m.years - t).max(0.0);
            t = m.years;
            let (sv, dv) = (d.btc_vol_per_year, d.difficulty_vol_per_year);
            // BTC's μ is the expected price's growth (the estimate adds σ²/2 to the mean
            // log-return), so the log's drift takes σ²/2 off once. Difficulty's g is already its
            // log growth (ln(D_last/D_first) per year): corrected again, the median would run
            // e^{−σ²t/2} low.
            ln_s += (d.btc_drift_per_year - 0.5 * sv * sv) * dt + sv * dt.sqrt() * rng.normal();
            ln_d += d.difficulty_growth_per_year * dt + dv * dt.sqrt() * rng.normal();
            let u = (1.0 + d.gpu_utilisation_vol * rng.normal()).clamp(0.0, 1.25);
            let (s, diff) = (libm::exp(ln_s), libm::exp(ln_d));
            let (es, ed) = expected_path[i];
            cols[i].push(path_month(m, s, diff, u, (s / es) * (ed / diff)));
        }
    }
    months
        .iter()
        .zip(cols)
        .map(|(m, col)| month_band(m.month, &col))
        .collect()
}

fn month_band(month: NaiveDate, col: &[PathMonth]) -> MonthBand {
    let band_of = |f: fn(&PathMonth) -> f64| band(col.iter().map(f).collect());
    let total = band_of(|p| p.mining + p.ai);
    MonthBand {
        month,
        btc_usd: band_of(|p| p.btc_usd),
        mining_usd: band_of(|p| p.mining),
        mining_margin_usd: band_of(|p| p.margin),
        ai_usd: band_of(|p| p.ai),
        revenue_at_risk_95_usd: (total.mean - total.p5).max(0.0),
        total_usd: total,
        p_mining_margin_negative: col.iter().filter(|p| p.margin < 0.0).count() as f64
            / col.len().max(1) as f64,
    }
}

/// Percentiles by selection (no full sort): the value at rank ⌊q·(n−1)⌉.
fn band(mut v: Vec<f64>) -> Band {
    if v.is_empty() {
        return Band::default();
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let mut at = |q: f64| {
        let k = ((v.len() - 1) as f64 * q).round() as usize;
        *v.select_nth_unstable_by(k, f64::total_cmp).1
    };
    Band {
        p5: at(0.05),
        p10: at(0.10),
        p50: at(0.50),
        p90: at(0.90),
        mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(n: u32, hashrate_ths: f64, power: f64, firm: f64, gpu: f64) -> Vec<MonthInputs> {
        let start = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        (0..n)
            .map(|i| MonthInputs {
                month: start.checked_add_months(chrono::Months::new(i)).unwrap(),
                years: f64::from(i + 1) / 12.0,
                btc_at_unit_difficulty: MonthInputs::btc_at_unit_difficulty(
                    hashrate_ths,
                    (0..30).map(|_| 3.125 + 0.03),
                ),
                forward_mining_usd: 0.0,
                mining_power_usd: power,
                ai_firm_usd: firm,
                ai_gpu_hours_usd: gpu,
            })
            .collect()
    }

    fn dynamics(vol: f64) -> Dynamics {
        Dynamics {
            btc_usd: 95_000.0,
            difficulty: 1.5e14,
            btc_drift_per_year: 0.20,
            btc_vol_per_year: vol,
            difficulty_growth_per_year: 0.35,
            difficulty_vol_per_year: vol / 4.0,
            gpu_utilisation_vol: vol / 5.0,
        }
    }

    #[test]
    fn with_no_volatility_every_path_is_the_deterministic_projection_to_the_cent() {
        let m = months(36, 5_000_000.0, 2_000_000.0, 1_000_000.0, 500_000.0);
        let d = dynamics(0.0);
        let bands = simulate(&m, &d, 100, 7);
        for (b, (mining, margin, ai)) in bands.iter().zip(deterministic(&m, &d)) {
            for band in [&b.mining_usd] {
                assert!(
                    (band.p10 - mining).abs() < 0.005 && (band.p90 - mining).abs() < 0.005,
                    "{band:?} vs {mining}"
                );
            }
            assert!((b.mining_margin_usd.p50 - margin).abs() < 0.005);
            assert!((b.ai_usd.p10 - ai).abs() < 0.005 && (b.ai_usd.p90 - ai).abs() < 0.005);
            assert!(
                b.revenue_at_risk_95_usd < 0.005,
                "no risk without volatility"
            );
        }
    }

    /// At 10,000 paths the year-end price's mean is S₀·e^{μT} within 1 %, and its P10/P90 the
    /// lognormal's quantiles, S₀·exp((μ − σ²/2)T ± 1.2816·σ√T), within 2 %.
    #[test]
    fn the_price_is_lognormal_with_the_given_drift_and_volatility() {
        let m = months(12, 1.0, 0.0, 0.0, 0.0);
        let d = dynamics(0.6);
        let year = &simulate(&m, &d, 10_000, 42)[11];
        let (s0, mu, sigma, t) = (95_000.0_f64, 0.20, 0.6, 1.0_f64);
        let mean = s0 * (mu * t).exp();
        assert!(
            (year.btc_usd.mean / mean - 1.0).abs() < 0.01,
            "{} vs {mean}",
            year.btc_usd.mean
        );
        let centre = (s0.ln() + (mu - sigma * sigma / 2.0) * t).exp();
        let z = 1.281_551_565_5 * sigma * t.sqrt();
        let (p10, p90) = (centre * (-z).exp(), centre * z.exp());
        assert!(
            (year.btc_usd.p10 / p10 - 1.0).abs() < 0.02,
            "{} vs {p10}",
            year.btc_usd.p10
        );
        assert!(
            (year.btc_usd.p90 / p90 - 1.0).abs() < 0.02,
            "{} vs {p90}",
            year.btc_usd.p90
        );
    }

    /// A month the forward prices: with no volatility its mining revenue is the forward's, to
    /// the cent; with volatility it spreads around it.
    #[test]
    fn a_forward_priced_month_is_centred_on_the_forward() {
        let mut m = months(12, 0.0, 100_000.0, 0.0, 0.0);
        for x in &mut m {
            x.forward_mining_usd = 1_234_567.89;
        }
        for b in simulate(&m, &dynamics(0.0), 200, 3) {
            assert!((b.mining_usd.p10 - 1_234_567.89).abs() < 0.005, "{b:?}");
            assert!((b.mining_margin_usd.p90 - 1_134_567.89).abs() < 0.005);
        }
        let year = simulate(&m, &dynamics(0.5), 10_000, 3).pop().unwrap();
        assert!(year.mining_usd.p10 < 1_234_567.89 && year.mining_usd.p90 > 1_234_567.89);
        // The forward is the mean (E[S/Ŝ] = 1; E[D̂/D] = 1 by the divisor), within 2 %: four
        // standard errors of a 10,000-path mean at σ = 0.5 over a year.
        assert!(
            (year.mining_usd.mean / 1_234_567.89 - 1.0).abs() < 0.02,
            "{year:?}"
        );
    }

    /// Difficulty's median after a year is D₀·e^{g} — its growth is a log growth, corrected by
    /// σ²/2 nowhere — so with BTC fixed the median month's mining revenue is the one at that
    /// difficulty (revenue falls as difficulty rises: the median maps to the median), within 1 %.
    #[test]
    fn difficulty_drift_is_corrected_once_its_median_is_the_closed_form() {
        let m = months(12, 5_000_000.0, 0.0, 0.0, 0.0);
        let d = Dynamics {
            btc_vol_per_year: 0.0,
            btc_drift_per_year: 0.0,
            difficulty_vol_per_year: 0.5,
            ..dynamics(0.0)
        };
        let year = &simulate(&m, &d, 10_000, 11)[11];
        let median_difficulty = d.difficulty * (d.difficulty_growth_per_year * 1.0).exp();
        let at_median = m[11].btc_at_unit_difficulty / median_difficulty * d.btc_usd;
        assert!(
            (year.mining_usd.p50 / at_median - 1.0).abs() < 0.01,
            "{} vs {at_median}",
            year.mining_usd.p50
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_bands_and_a_contract_only_site_a_flat_ai_band() {
        let m = months(24, 2_000_000.0, 900_000.0, 0.0, 0.0);
        let d = dynamics(0.5);
        assert_eq!(simulate(&m, &d, 2_000, 9), simulate(&m, &d, 2_000, 9));
        assert_ne!(simulate(&m, &d, 2_000, 9), simulate(&m, &d, 2_000, 10));
        // Colocation only: no hashrate, a firm fee — the AI band has no width, mining none.
        let colo = months(24, 0.0, 0.0, 1_200_000.0, 0.0);
        for b in simulate(&colo, &d, 2_000, 9) {
            assert_eq!((b.ai_usd.p10, b.ai_usd.p90), (1_200_000.0, 1_200_000.0));
            assert_eq!(b.mining_usd.p90, 0.0);
            assert_eq!(b.revenue_at_risk_95_usd, 0.0);
        }
        // Mining with volatility has width, and a real chance of a negative margin late on.
        let late = simulate(&m, &d, 2_000, 9).pop().unwrap();
        assert!(late.mining_usd.p90 > late.mining_usd.p10 * 1.5);
        assert!(late.p_mining_margin_negative > 0.0 && late.p_mining_margin_negative < 1.0);
        assert!(late.revenue_at_risk_95_usd > 0.0);
    }
}
