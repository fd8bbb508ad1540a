-- The event log, leaner (issue 10's bytes a ticket; it was two thirds of them):
--   * the columns in the order that wastes no alignment padding: the four 8-byte ones first;
--   * no unit, team and handler a row: written for every event and read by nothing, they are
--     the assignment as it stood, which the ticket's dispatched events before it say (by id);
--   * the event_id only in its column, no longer also in the body (the ticket view puts it
--     back where jsonb's key order puts it, so what the API answers is the same bytes);
--   * an imported event without an event_id keeps no made-up id: its content key (the first
--     20 bytes of the SHA-256 of its ticket id and canonical body, what the import used to
--     write as "imp-<40 hex>") goes to request_hash, where a second import finds it. An id,
--     its copy in the body and its unique index entry cost ~230 bytes an imported event.
-- The events move over, ids and order kept; the import's derived ids become content keys.
-- And one facts index shrinks: a chain is looked up for its newest repeat only (the green
-- channel), so only repeats need to be in ticket_facts_chain (a tenth of the tickets).

ALTER TABLE ticket_events RENAME TO ticket_events_v12;
ALTER INDEX ticket_events_ticket RENAME TO ticket_events_v12_ticket;
ALTER INDEX ticket_events_event_id RENAME TO ticket_events_v12_event_id;
-- The old partitions and their indexes step aside for the new ones' names.
DO $$
DECLARE
    p record;
    i record;
BEGIN
    FOR p IN SELECT c.oid, c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
             WHERE h.inhparent = 'ticket_events_v12'::regclass LOOP
        FOR i IN SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                 WHERE x.indrelid = p.oid LOOP
            EXECUTE format('ALTER INDEX %I RENAME TO %I', i.relname, 'v12_' || i.relname);
        END LOOP;
        EXECUTE format('ALTER TABLE %I RENAME TO %I', p.relname, 'v12_' || p.relname);
    END LOOP;
END $$;
-- The serial outlives the old table.
ALTER SEQUENCE ticket_events_id_seq OWNED BY NONE;

CREATE TABLE ticket_events (
    received_at  timestamptz NOT NULL,  -- its ticket's: the partition
    at           timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    id           bigint NOT NULL DEFAULT nextval('ticket_events_id_seq'),
    accepted     boolean NOT NULL DEFAULT true,
    ticket_id    text NOT NULL,
    type         text NOT NULL,
    body         jsonb NOT NULL,        -- the event as sent but its type, at and event_id
    defects      jsonb,                 -- a rejected close-out's
    event_id     text,                  -- the CRM's id, when it sent one
    -- With an event_id, the SHA-256 of the canonical request (a replay or a conflict); an
    -- imported event without one, its content key (20 bytes); NULL otherwise.
    request_hash bytea
) PARTITION BY RANGE (received_at);
ALTER SEQUENCE ticket_events_id_seq OWNED BY ticket_events.id;

-- A partition for every month facts have one for (rd_ensure_month makes the missing half).
SELECT rd_ensure_month(to_date(substr(c.relname, 14), 'YYYYMM')::timestamp AT TIME ZONE 'UTC')
FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
WHERE h.inhparent = 'ticket_facts'::regclass AND c.relname ~ '^ticket_facts_[0-9]{6}$';

INSERT INTO ticket_events (received_at, at, recorded_at, id, accepted, ticket_id, type, body,
                           defects, event_id, request_hash)
SELECT received_at, at, recorded_at, id, accepted, ticket_id, type, body - 'event_id', defects,
    CASE WHEN event_id ~ '^imp-[0-9a-f]{40}$' THEN NULL ELSE event_id END,
    CASE WHEN event_id ~ '^imp-[0-9a-f]{40}$' THEN decode(substr(event_id, 5), 'hex')
         ELSE request_hash END
FROM ticket_events_v12;

-- Built once the rows are in (faster than row by row).
-- A ticket's events: its few entries share one key, which btree deduplication stores once.
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id);
CREATE UNIQUE INDEX ticket_events_event_id ON ticket_events (ticket_id, event_id, received_at)
    WHERE event_id IS NOT NULL;

DROP TABLE ticket_events_v12;

DROP INDEX ticket_facts_chain;
CREATE INDEX ticket_facts_chain ON ticket_facts (chain_id) WHERE counts_as_repeat;
