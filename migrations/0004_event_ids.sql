-- Idempotent events: the CRM may give each event an id of its own. The same id again with the
-- same body is a replay (nothing is recorded); with another body a conflict. The hash is of
-- the canonical body, as for tickets.
ALTER TABLE ticket_events ADD COLUMN event_id text;
ALTER TABLE ticket_events ADD COLUMN request_hash bytea;
CREATE UNIQUE INDEX ticket_events_event_id ON ticket_events (ticket_id, event_id)
    WHERE event_id IS NOT NULL;
