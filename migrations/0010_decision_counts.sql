-- GET /v1/kpi/decisions counts the tickets of each decision received in a period. Every ticket
-- counts, excluded calls included, so kpi_counts (complaints and repeats) cannot answer it; this
-- index makes the count an index-only range scan over the period's months, never a scan of the
-- ticket table.
CREATE INDEX tickets_decision_counts ON tickets (received_month, decision, definition_version);
