-- Forward inputs (see sqlite/0011_forward_curves_and_gpu_index.sql).

CREATE TABLE forward_curves (
    as_of           DATE NOT NULL,
    month           DATE NOT NULL,
    usd_per_ph_day  DOUBLE PRECISION NOT NULL,
    source          TEXT NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (as_of, month)
);

CREATE TABLE gpu_index (
    day               DATE NOT NULL,
    model_key         TEXT NOT NULL,
    gpu_model         TEXT NOT NULL,
    usd_per_gpu_hour  DOUBLE PRECISION NOT NULL,
    source            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (model_key, day)
);

-- The `kpis` embed view.
ALTER TABLE embed_tokens DROP CONSTRAINT embed_tokens_view_check;
ALTER TABLE embed_tokens ADD CONSTRAINT embed_tokens_view_check
    CHECK (view IN ('revenue_mix', 'mw_converted', 'timeline', 'fleet_summary', 'kpis'));
