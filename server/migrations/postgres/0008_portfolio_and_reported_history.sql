-- The company's own portfolio (versions, last editor, retirement, the demo flag) and reported
-- monthly actuals from before Rigshift; the same end state as SQLite's 0012.

ALTER TABLE sites ADD COLUMN retired_on DATE;
ALTER TABLE sites ADD COLUMN demo BIGINT NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
ALTER TABLE sites ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'seed';
ALTER TABLE lease_contracts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE lease_contracts ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'seed';

UPDATE sites SET demo = 1 WHERE id IN ('pecos-ridge', 'muskogee', 'baie-comeau');

CREATE TABLE reported_months (
    site_id             TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    month               DATE NOT NULL,
    btc_produced        DOUBLE PRECISION,
    mining_revenue_usd  DOUBLE PRECISION,
    power_cost_usd      DOUBLE PRECISION,
    energy_mwh          DOUBLE PRECISION,
    ai_revenue_usd      DOUBLE PRECISION,
    hashrate_ths_avg    DOUBLE PRECISION,
    source              TEXT NOT NULL,
    imported_at         TIMESTAMPTZ NOT NULL,
    imported_by         TEXT NOT NULL,
    PRIMARY KEY (site_id, month)
);
