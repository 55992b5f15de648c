-- A settlement point's price is keyed by the point and its type: ERCOT prices every load zone
-- twice in each interval (`LZ` and the energy-weighted `LZEW`). Rows stored before carry no type
-- (''). SQLite cannot change a primary key in place: the table is rebuilt.

CREATE TABLE power_prices_typed (
    point           TEXT NOT NULL,
    point_type      TEXT NOT NULL DEFAULT '',
    interval_start  TEXT NOT NULL,
    usd_per_mwh     REAL NOT NULL,
    source          TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    PRIMARY KEY (point, point_type, interval_start)
) WITHOUT ROWID;

INSERT INTO power_prices_typed (point, point_type, interval_start, usd_per_mwh, source, fetched_at)
    SELECT point, '', interval_start, usd_per_mwh, source, fetched_at FROM power_prices;

DROP TABLE power_prices;
ALTER TABLE power_prices_typed RENAME TO power_prices;
