-- Power markets: settlement point prices per 15-minute interval (with where they came from), each
-- site's power terms (contract, curtailment policy, demand response, 4CP rate) as JSON, and the
-- summer's coincident-peak intervals.

CREATE TABLE power_prices (
    point           TEXT NOT NULL,
    interval_start  TEXT NOT NULL,
    usd_per_mwh     REAL NOT NULL,
    source          TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    PRIMARY KEY (point, interval_start)
) WITHOUT ROWID;

CREATE TABLE site_power (
    site_id     TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
    terms       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE coincident_peaks (
    interval_start  TEXT PRIMARY KEY
);
