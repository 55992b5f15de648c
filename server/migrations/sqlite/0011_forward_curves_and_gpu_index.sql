-- Forward inputs with their provenance: hashprice forward curves (one row per curve date and
-- monthly tenor) and a GPU rental index (one row per day and GPU model, the model compared by
-- its squashed key so `H100 SXM` and `h100-sxm` are one model).

CREATE TABLE forward_curves (
    as_of           TEXT NOT NULL,
    month           TEXT NOT NULL,
    usd_per_ph_day  REAL NOT NULL,
    source          TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    PRIMARY KEY (as_of, month)
) WITHOUT ROWID;

CREATE TABLE gpu_index (
    day               TEXT NOT NULL,
    model_key         TEXT NOT NULL,
    gpu_model         TEXT NOT NULL,
    usd_per_gpu_hour  REAL NOT NULL,
    source            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    PRIMARY KEY (model_key, day)
) WITHOUT ROWID;
