-- Power markets (see sqlite/0009_power_markets.sql).

CREATE TABLE power_prices (
    point           TEXT NOT NULL,
    interval_start  TIMESTAMPTZ NOT NULL,
    usd_per_mwh     DOUBLE PRECISION NOT NULL,
    source          TEXT NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (point, interval_start)
);

CREATE TABLE site_power (
    site_id     TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
    terms       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE coincident_peaks (
    interval_start  TIMESTAMPTZ PRIMARY KEY
);
