-- What investors are told: a site's operating cost beyond power ($/MW-month), a lease
-- contract's register (gross MW, extension options, credit support; JSON), and the power
-- credits a site was paid in a month (demand response, 4CP, power sold back, congestion) as
-- the utility's or the market's statement gives them.

ALTER TABLE sites ADD COLUMN opex_usd_per_mw_month REAL;
ALTER TABLE lease_contracts ADD COLUMN register TEXT;

CREATE TABLE power_credits (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL,
    month       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    usd         REAL NOT NULL,
    note        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX power_credits_by_month ON power_credits (month, site_id);
