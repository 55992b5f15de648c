-- A site's operating cost, a contract's register and power credits
-- (see sqlite/0015_contract_register_and_power_credits.sql).

ALTER TABLE sites ADD COLUMN opex_usd_per_mw_month DOUBLE PRECISION;
ALTER TABLE lease_contracts ADD COLUMN register TEXT;

CREATE TABLE power_credits (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL,
    month       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    usd         DOUBLE PRECISION NOT NULL,
    note        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX power_credits_by_month ON power_credits (month, site_id);
