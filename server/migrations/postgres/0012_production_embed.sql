-- The `production` embed view (see sqlite/0016_production_embed.sql).
ALTER TABLE embed_tokens DROP CONSTRAINT embed_tokens_view_check;
ALTER TABLE embed_tokens ADD CONSTRAINT embed_tokens_view_check
    CHECK (view IN ('revenue_mix', 'mw_converted', 'timeline', 'fleet_summary', 'kpis', 'production'));
