-- Sites, their mining fleets by model, conversion steps, AI lease contracts, and daily market figures.

CREATE TABLE sites (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    location           TEXT NOT NULL,
    capacity_mw        REAL NOT NULL CHECK (capacity_mw >= 0),
    initial_mining_mw  REAL NOT NULL CHECK (initial_mining_mw >= 0),
    power_usd_per_kwh  REAL NOT NULL CHECK (power_usd_per_kwh >= 0),
    pue_ai             REAL NOT NULL CHECK (pue_ai >= 1),
    mining_uptime      REAL NOT NULL CHECK (mining_uptime BETWEEN 0 AND 1),
    pool_fee_pct       REAL NOT NULL CHECK (pool_fee_pct BETWEEN 0 AND 100),
    position           INTEGER NOT NULL
);

CREATE TABLE fleet_lines (
    site_id   TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    model_id  TEXT NOT NULL,
    count     INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (site_id, model_id)
);

CREATE TABLE conversion_steps (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id       TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    effective_on  TEXT NOT NULL,
    mw            REAL NOT NULL CHECK (mw >= 0),
    label         TEXT NOT NULL
);
CREATE INDEX conversion_steps_by_site ON conversion_steps(site_id, effective_on);

-- One row per contract; `terms` is the JSON of model::lease::LeaseTerms (colocation or GPU-hours),
-- kept whole so a new pricing form does not need a migration of every reader.
CREATE TABLE lease_contracts (
    id                  TEXT PRIMARY KEY,
    site_id             TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    tenant              TEXT NOT NULL,
    terms               TEXT NOT NULL CHECK (json_valid(terms)),
    start_on            TEXT NOT NULL,
    ramp_months         INTEGER NOT NULL CHECK (ramp_months >= 0),
    end_on              TEXT,
    power_pass_through  INTEGER NOT NULL CHECK (power_pass_through IN (0, 1))
);

CREATE TABLE market_days (
    day                 TEXT PRIMARY KEY,
    btc_usd             REAL NOT NULL CHECK (btc_usd >= 0),
    difficulty          REAL NOT NULL CHECK (difficulty > 0),
    fees_btc_per_block  REAL NOT NULL CHECK (fees_btc_per_block >= 0),
    source              TEXT NOT NULL CHECK (source IN ('bundled', 'simulated', 'live'))
);
