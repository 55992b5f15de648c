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
