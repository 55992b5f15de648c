//! The clock port: the real UTC date, or a pinned one (`--today`).

use chrono::NaiveDate;

use app::api::ports::Clock;

pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        chrono::Utc::now().date_naive()
    }
}

pub struct FixedClock(pub NaiveDate);

impl Clock for FixedClock {
    fn today(&self) -> NaiveDate {
        self.0
    }
}

/// The time zone an IANA name gives (`America/Chicago`), if the bundled zone database knows it.
pub fn zone(name: &str) -> Option<jiff::tz::TimeZone> {
    jiff::tz::db().get(name).ok()
}
