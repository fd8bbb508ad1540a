-- KPIs: monthly aggregates kept current by intake and lifecycle in their own transactions,
-- so that dashboards never scan the ticket table. Also names, targets and the attribution
-- columns that the aggregates (and any recomputation from raw rows) read.

-- The natural month of reception in the zone in force at intake, and, for repeats, the
-- assignment of the ticket repeated (the handling that failed) as it was at intake.
ALTER TABLE tickets
    ADD COLUMN received_month integer,
    ADD COLUMN repeat_unit text,
    ADD COLUMN repeat_team text,
    ADD COLUMN repeat_handler text;
UPDATE tickets SET received_month = (
    extract(year FROM received_at AT TIME ZONE coalesce(
        (SELECT value #>> '{}' FROM settings WHERE key = 'time_zone'), 'Asia/Shanghai')) * 12
    + extract(month FROM received_at AT TIME ZONE coalesce(
        (SELECT value #>> '{}' FROM settings WHERE key = 'time_zone'), 'Asia/Shanghai')) - 1
)::integer;
UPDATE tickets t SET repeat_unit = coalesce(p.unit, ''), repeat_team = coalesce(p.team, ''),
    repeat_handler = coalesce(p.handler, '')
    FROM tickets p WHERE t.counts_as_repeat AND p.ticket_id = t.related_ticket_id;
ALTER TABLE tickets ALTER COLUMN received_month SET NOT NULL;

-- Who the ticket was assigned to when the event was recorded.
ALTER TABLE ticket_events
    ADD COLUMN unit text NOT NULL DEFAULT '',
    ADD COLUMN team text NOT NULL DEFAULT '',
    ADD COLUMN handler text NOT NULL DEFAULT '';

-- dim: 0 total (key ''), 1 unit, 2 team, 3 handler, 4 leaf category; a ticket not yet
-- dispatched has no unit, team or handler row. Each database connection
-- writes its own shard (backend pid % 8) so that concurrent transactions never queue on one
-- row; readers sum the shards. Free space on each page keeps the updates HOT.
CREATE TABLE kpi_counts (
    dim                  smallint NOT NULL,
    key                  text NOT NULL,
    month                integer NOT NULL,
    version              integer NOT NULL,
    shard                smallint NOT NULL,
    complaints           bigint NOT NULL DEFAULT 0,
    repeats              bigint NOT NULL DEFAULT 0,
    contacted            bigint NOT NULL DEFAULT 0,
    first_contact_failed bigint NOT NULL DEFAULT 0,
    closeouts_inspected  bigint NOT NULL DEFAULT 0,
    closeouts_rejected   bigint NOT NULL DEFAULT 0,
    false_closeouts      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, month, key, version, shard)
) WITH (fillfactor = 50);

-- Defects of rejected close-outs, by unit (dim 1) and handler (dim 3).
CREATE TABLE kpi_defects (
    dim     smallint NOT NULL,
    key     text NOT NULL,
    month   integer NOT NULL,
    code    text NOT NULL,
    n       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, month, key, code)
);

-- Display names of units, teams and handlers.
CREATE TABLE org_names (
    kind        text NOT NULL CHECK (kind IN ('unit', 'team', 'handler')),
    code        text NOT NULL,
    name        text NOT NULL,
    parent      text,          -- a team's unit, a handler's team
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, code)
);

-- Target repeat rates (考核指标): for one period ('2026-10', '2026-Q4', '2026') or standing ('').
CREATE TABLE kpi_targets (
    scope       text NOT NULL CHECK (scope IN ('unit', 'team')),
    code        text NOT NULL,
    period      text NOT NULL DEFAULT '',
    target_rate double precision NOT NULL CHECK (target_rate >= 0 AND target_rate <= 1),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL,
    PRIMARY KEY (scope, code, period)
);

-- The green channel: open repeats, by ordinal.
CREATE INDEX tickets_green ON tickets (repeat_ordinal)
    WHERE status = 'open' AND counts_as_repeat;

-- Backfill the aggregates from what is already stored (nothing on a new installation).
INSERT INTO kpi_counts (dim, key, month, version, shard, complaints, repeats, contacted,
                        first_contact_failed, closeouts_inspected, closeouts_rejected,
                        false_closeouts)
SELECT dim, key, month, version, 0, sum(c), sum(r), sum(ct), sum(f), sum(i), sum(j), sum(x)
FROM (
    SELECT t.received_month AS month, t.definition_version AS version, t.category,
           coalesce(t.unit, '') AS unit, coalesce(t.team, '') AS team,
           coalesce(t.handler, '') AS handler,
           1 AS c, 0 AS r, 0 AS ct, 0 AS f, 0 AS i, 0 AS j, 0 AS x
    FROM tickets t WHERE t.creates_work_order
    UNION ALL
    SELECT t.received_month, t.definition_version, t.category, t.repeat_unit, t.repeat_team,
           t.repeat_handler, 0, 1, 0, 0, 0, 0, 0
    FROM tickets t WHERE t.counts_as_repeat
) src
CROSS JOIN LATERAL (VALUES (0::smallint, ''), (1::smallint, unit), (2::smallint, team),
                           (3::smallint, handler), (4::smallint, category)) AS d(dim, key)
WHERE dim IN (0, 4) OR key <> ''  -- not yet dispatched: counted in the total and category only
GROUP BY dim, key, month, version;
