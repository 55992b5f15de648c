-- The company's own portfolio: sites and contracts carry a version (edits made against an old one
-- are refused), who changed them last, and a retirement date (history stays); sites that came
-- with the illustrative demo company say so. Reported monthly actuals from before Rigshift.

ALTER TABLE sites ADD COLUMN retired_on TEXT;
ALTER TABLE sites ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
ALTER TABLE sites ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'seed';
ALTER TABLE lease_contracts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE lease_contracts ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'seed';

-- Databases created before this migration were seeded with the demo company.
UPDATE sites SET demo = 1 WHERE id IN ('pecos-ridge', 'muskogee', 'baie-comeau');

CREATE TABLE reported_months (
    site_id             TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    month               TEXT NOT NULL,
    btc_produced        REAL,
    mining_revenue_usd  REAL,
    power_cost_usd      REAL,
    energy_mwh          REAL,
    ai_revenue_usd      REAL,
    hashrate_ths_avg    REAL,
    source              TEXT NOT NULL,
    imported_at         TEXT NOT NULL,
    imported_by         TEXT NOT NULL,
    PRIMARY KEY (site_id, month)
);
