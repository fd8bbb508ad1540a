-- Lean storage in monthly partitions. A ticket was one wide row (the answer as jsonb, two
-- rendered scripts) rewritten by every lifecycle event: ~7 KB a ticket on disk. Now:
--   ticket_facts   what was asked and what was answered, written once, in monthly partitions
--                  of received_at (UTC months). The answer and its scripts are rendered again
--                  on read from the decision's columns (app/answer_stored.c);
--   ticket_state   what the lifecycle changes, one narrow row a ticket, updated in place (HOT:
--                  only closing and reopening touch an indexed expression);
--   ticket_events  the event log, in the partition of its ticket's month, so that retention
--                  drops a month's tickets and their events together; the body without its
--                  type and at, which are columns;
--   tickets        a view joining facts and state, for readers that want the whole ticket.
-- Partitions are created ahead by rd_ensure_month (repeatd migrate, the service at start and
-- on the first ticket of a month without one) and dropped by rd_drop_months (retain_months).

-- The key of a citizen's problem (citizen, category): the first 8 bytes of
-- SHA-256("<citizen hash hex>|<category>"), big-endian. The same key is intake's advisory lock
-- (app/intake.c problem_key), and indexes the open tickets of any age.
CREATE FUNCTION rd_problem_key(citizen bytea, category text) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ('x' || left(encode(sha256(convert_to(encode(citizen, 'hex') || '|' || category,
                                                 'UTF8')), 'hex'), 16))::bit(64)::bigint;

ALTER TABLE tickets RENAME TO tickets_v10;
ALTER TABLE ticket_events RENAME TO ticket_events_v10;
ALTER INDEX tickets_candidates RENAME TO tickets_v10_candidates;
ALTER INDEX tickets_phone RENAME TO tickets_v10_phone;
ALTER INDEX tickets_chain RENAME TO tickets_v10_chain;
ALTER INDEX tickets_related RENAME TO tickets_v10_related;
ALTER INDEX tickets_hotspot RENAME TO tickets_v10_hotspot;
ALTER INDEX tickets_decision_counts RENAME TO tickets_v10_decision_counts;
ALTER INDEX tickets_green RENAME TO tickets_v10_green;
ALTER INDEX ticket_events_ticket RENAME TO ticket_events_v10_ticket;
ALTER INDEX ticket_events_event_id RENAME TO ticket_events_v10_event_id;

CREATE TABLE ticket_facts (
    ticket_id           text NOT NULL,
    received_at         timestamptz NOT NULL,
    citizen_hash        bytea NOT NULL,
    phone_hash          bytea,
    phone_masked        text,
    category            text NOT NULL,
    channel             text,
    address             text,
    lat                 double precision,
    lon                 double precision,
    description         text,
    claim               text,
    new_evidence        boolean NOT NULL,
    request_hash        bytea NOT NULL,
    received_month      integer NOT NULL,
    received_offset     integer NOT NULL,  -- UTC offset of time_zone at received_at, seconds
    -- The decision, as answered: every field of the answer, so that it renders byte for byte.
    decision            text NOT NULL,
    rule                text NOT NULL,
    counts_as_repeat    boolean NOT NULL,
    creates_work_order  boolean NOT NULL,
    repeat_ordinal      integer NOT NULL,
    chain_id            text NOT NULL,
    definition_version  integer NOT NULL,
    considered          integer NOT NULL,  -- evidence.candidates
    window_months       integer NOT NULL,  -- evidence.repeat_window_months
    in_window           boolean NOT NULL,
    past_deadline       boolean NOT NULL,
    claim_assumed       boolean NOT NULL,  -- assumptions: claim defaulted to unresolved
    root_causes         text,              -- comma-separated, in the answer's order
    actions             text NOT NULL,     -- comma-separated action codes, in order
    dispatch_mandatory  boolean NOT NULL,
    specialist          text,              -- the green channel's specialist named
    -- P, the related ticket, as it stood when the answer was given (NULL without P).
    related_ticket_id   text,
    rel_received_at     timestamptz,
    rel_open            boolean,
    rel_unit            text,
    rel_team            text,
    rel_handler         text,
    rel_closed_at       timestamptz,
    rel_outcome         text,
    rel_deadline        timestamptz,
    rel_repeat_ordinal  integer,
    rel_chain_id        text,
    rel_calls           integer,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ticket_id, received_at)
) PARTITION BY RANGE (received_at);
-- The look-up of priors within the lookback: one range per partition it spans.
CREATE INDEX ticket_facts_candidates ON ticket_facts (citizen_hash, category, received_at DESC)
    WHERE creates_work_order;
CREATE INDEX ticket_facts_phone ON ticket_facts (phone_hash, received_at DESC)
    WHERE phone_hash IS NOT NULL;
CREATE INDEX ticket_facts_chain ON ticket_facts (chain_id);
CREATE INDEX ticket_facts_related ON ticket_facts (related_ticket_id, received_at)
    WHERE related_ticket_id IS NOT NULL;
CREATE INDEX ticket_facts_hotspot ON ticket_facts (received_at, category)
    INCLUDE (citizen_hash, lat, lon) WHERE lat IS NOT NULL AND lon IS NOT NULL;
CREATE INDEX ticket_facts_decision_counts ON ticket_facts
    (received_month, decision, definition_version);

-- Unique ticket ids across partitions, and the current state. fillfactor leaves room on each
-- page for the in-place (HOT) updates of the lifecycle.
CREATE TABLE ticket_state (
    ticket_id            text PRIMARY KEY,
    received_at          timestamptz NOT NULL,  -- the partition of its facts and events
    problem_key          bigint NOT NULL,       -- rd_problem_key(citizen_hash, category)
    creates_work_order   boolean NOT NULL,
    green_ordinal        integer,               -- repeat_ordinal of a counted repeat
    status               text NOT NULL CHECK (status IN ('open', 'closed')),
    unit                 text,
    team                 text,
    handler              text,
    dispatched_at        timestamptz,
    deadline             timestamptz,
    contact_reached      boolean NOT NULL DEFAULT false,
    contact_failures     integer NOT NULL DEFAULT 0,
    first_contact_failed boolean,
    closeout_accepted    boolean NOT NULL DEFAULT false,
    closeout_rejections  integer NOT NULL DEFAULT 0,
    closeout_unresolved  boolean NOT NULL DEFAULT false,
    followup_recorded    boolean NOT NULL DEFAULT false,
    followup_reached     boolean NOT NULL DEFAULT false,
    false_closeout       boolean NOT NULL DEFAULT false,
    closed_at            timestamptz,
    outcome              text,
    calls                integer NOT NULL DEFAULT 0,
    closeout_accepted_at timestamptz,
    followup_at          timestamptz,
    changed_at           timestamptz NOT NULL   -- its newest event or later excluded call
) WITH (fillfactor = 80);
-- Open work orders of any age, and those closed after a late ticket's time: one range.
CREATE INDEX ticket_state_open ON ticket_state
    (problem_key, (coalesce(closed_at, 'infinity'::timestamptz))) WHERE creates_work_order;
CREATE INDEX ticket_state_green ON ticket_state (green_ordinal)
    WHERE status = 'open' AND green_ordinal IS NOT NULL;

CREATE TABLE ticket_events (
    ticket_id    text NOT NULL,
    received_at  timestamptz NOT NULL,  -- its ticket's: the partition
    id           bigint NOT NULL DEFAULT nextval('ticket_events_id_seq'),
    type         text NOT NULL,
    at           timestamptz NOT NULL,
    body         jsonb NOT NULL,
    accepted     boolean NOT NULL DEFAULT true,
    defects      jsonb,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    unit         text NOT NULL DEFAULT '',
    team         text NOT NULL DEFAULT '',
    handler      text NOT NULL DEFAULT '',
    event_id     text,
    request_hash bytea
) PARTITION BY RANGE (received_at);
ALTER SEQUENCE ticket_events_id_seq OWNED BY ticket_events.id;
-- A ticket's events: its few entries share one key, which btree deduplication stores once.
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id);
CREATE UNIQUE INDEX ticket_events_event_id ON ticket_events (ticket_id, event_id, received_at)
    WHERE event_id IS NOT NULL;

-- The partitions of the UTC month holding `at`, for facts and events, if missing.
CREATE FUNCTION rd_ensure_month(at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m timestamp := date_trunc('month', at AT TIME ZONE 'UTC');
    suffix text := to_char(m, 'YYYYMM');
    lo text := quote_literal(to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00');
    hi text := quote_literal(to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
BEGIN
    -- Two sessions making the same month take turns (the second finds it made).
    PERFORM pg_advisory_xact_lock(7236471130);
    IF to_regclass('ticket_facts_' || suffix) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF ticket_facts FOR VALUES FROM (%s) TO (%s)',
                       'ticket_facts_' || suffix, lo, hi);
    END IF;
    IF to_regclass('ticket_events_' || suffix) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF ticket_events FOR VALUES FROM (%s) TO (%s)',
                       'ticket_events_' || suffix, lo, hi);
    END IF;
END $$;

-- Last month, this month and the `ahead` months after it: what live tickets are written into.
-- Older months are made when a ticket of theirs comes (an import's history, a late ticket).
CREATE FUNCTION rd_ensure_months(ahead integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    m timestamptz := now() - interval '1 month';
    made integer := 0;
BEGIN
    WHILE m < now() + make_interval(months => ahead + 1) LOOP
        IF to_regclass('ticket_facts_' || to_char(m AT TIME ZONE 'UTC', 'YYYYMM')) IS NULL THEN
            made := made + 1;
        END IF;
        PERFORM rd_ensure_month(m);
        m := m + interval '1 month';
    END LOOP;
    RETURN made;
END $$;

-- The history as it was, moved over. The answer's fields go to their columns.
SELECT rd_ensure_month(m) FROM (
    SELECT DISTINCT date_trunc('month', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m
    FROM tickets_v10) x;
SELECT rd_ensure_month(now());

INSERT INTO ticket_facts
SELECT t.ticket_id, t.received_at, t.citizen_hash, t.phone_hash, t.phone_masked, t.category,
    t.channel, t.address, t.lat, t.lon, t.description, t.claim, t.new_evidence, t.request_hash,
    t.received_month,
    coalesce(extract(epoch FROM (t.received_at AT TIME ZONE
        coalesce((SELECT value #>> '{}' FROM settings WHERE key = 'time_zone'), 'Asia/Shanghai'))
        - (t.received_at AT TIME ZONE 'UTC'))::integer, 0),
    t.decision, t.rule, t.counts_as_repeat, t.creates_work_order, t.repeat_ordinal, t.chain_id,
    t.definition_version,
    (t.answer #>> '{evidence,candidates}')::integer,
    (t.answer #>> '{evidence,repeat_window_months}')::integer,
    (t.answer #>> '{evidence,in_window}')::boolean,
    (t.answer #>> '{evidence,past_deadline}')::boolean,
    jsonb_array_length(t.answer -> 'assumptions') > 0,
    (SELECT string_agg(c #>> '{}', ',' ORDER BY i)
     FROM jsonb_array_elements(t.answer -> 'root_causes') WITH ORDINALITY AS x(c, i)),
    coalesce((SELECT string_agg(a ->> 'code', ',' ORDER BY i)
              FROM jsonb_array_elements(t.answer -> 'actions') WITH ORDINALITY AS x(a, i)), ''),
    coalesce((SELECT bool_or((a ->> 'mandatory')::boolean)
              FROM jsonb_array_elements(t.answer -> 'actions') a), false),
    (SELECT a ->> 'specialist' FROM jsonb_array_elements(t.answer -> 'actions') a
     WHERE a ->> 'code' = 'green_channel'),
    t.related_ticket_id,
    (t.answer #>> '{related_ticket,received_at}')::timestamptz,
    (t.answer #>> '{related_ticket,status}') = 'open',
    t.answer #>> '{related_ticket,unit}',
    t.answer #>> '{related_ticket,team}',
    t.answer #>> '{related_ticket,handler}',
    (t.answer #>> '{related_ticket,closed_at}')::timestamptz,
    t.answer #>> '{related_ticket,outcome}',
    (t.answer #>> '{related_ticket,deadline}')::timestamptz,
    (t.answer #>> '{related_ticket,repeat_ordinal}')::integer,
    t.answer #>> '{related_ticket,chain_id}',
    (t.answer #>> '{evidence,calls_about_related}')::integer - 1,
    t.created_at
FROM tickets_v10 t;

INSERT INTO ticket_state
SELECT t.ticket_id, t.received_at, rd_problem_key(t.citizen_hash, t.category),
    t.creates_work_order, CASE WHEN t.counts_as_repeat THEN t.repeat_ordinal END, t.status,
    t.unit, t.team, t.handler, t.dispatched_at, t.deadline, t.contact_reached,
    t.contact_failures, t.first_contact_failed, t.closeout_accepted, t.closeout_rejections,
    t.closeout_unresolved, t.followup_recorded, t.followup_reached, t.false_closeout,
    t.closed_at, t.outcome, t.calls, t.closeout_accepted_at, t.followup_at,
    greatest(t.received_at,
             (SELECT max(e.at) FROM ticket_events_v10 e WHERE e.ticket_id = t.ticket_id),
             (SELECT max(x.received_at) FROM tickets_v10 x
              WHERE x.related_ticket_id = t.ticket_id AND NOT x.creates_work_order))
FROM tickets_v10 t;

INSERT INTO ticket_events (ticket_id, received_at, id, type, at, body, accepted, defects,
                           recorded_at, unit, team, handler, event_id, request_hash)
SELECT e.ticket_id, t.received_at, e.id, e.type, e.at, e.body - 'type' - 'at', e.accepted,
    e.defects,
    e.recorded_at, e.unit, e.team, e.handler, e.event_id, e.request_hash
FROM ticket_events_v10 e JOIN tickets_v10 t ON t.ticket_id = e.ticket_id;

ALTER TABLE ticket_events_v10 ALTER COLUMN id DROP DEFAULT;
DROP TABLE ticket_events_v10;
DROP TABLE tickets_v10;

-- The whole ticket, as the single table used to hold it. repeat_unit/team/handler: for a
-- repeat, P's assignment when it was answered (the handling that failed), '' when none.
CREATE VIEW tickets AS
SELECT f.ticket_id, f.citizen_hash, f.phone_hash, f.phone_masked, f.category, f.received_at,
    f.channel, f.address, f.lat, f.lon, f.description, f.claim, f.new_evidence, f.request_hash,
    f.decision, f.rule, f.counts_as_repeat, f.creates_work_order, f.repeat_ordinal, f.chain_id,
    f.related_ticket_id, f.definition_version, f.created_at, s.status, s.unit, s.team,
    s.handler, s.dispatched_at, s.deadline, s.contact_reached, s.contact_failures,
    s.first_contact_failed, s.closeout_accepted, s.closeout_rejections, s.closeout_unresolved,
    s.followup_recorded, s.followup_reached, s.false_closeout, s.closed_at, s.outcome, s.calls,
    f.received_month,
    CASE WHEN f.counts_as_repeat THEN coalesce(f.rel_unit, '') END AS repeat_unit,
    CASE WHEN f.counts_as_repeat THEN coalesce(f.rel_team, '') END AS repeat_team,
    CASE WHEN f.counts_as_repeat THEN coalesce(f.rel_handler, '') END AS repeat_handler,
    s.closeout_accepted_at, s.followup_at
FROM ticket_facts f JOIN ticket_state s ON s.ticket_id = f.ticket_id
    AND s.received_at = f.received_at;
