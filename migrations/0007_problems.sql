-- The problem list (问题清单): problems found in the TOP problems, the anomalies, hotspots or by
-- hand, pushed to a responsible department, their measures and their dated updates. Every
-- write leaves an update row naming the key that made it (the audit). The effect of a problem
-- is read from kpi_counts, never from tickets.

CREATE TABLE problems (
    id             bigserial PRIMARY KEY,
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    category       text NOT NULL REFERENCES categories (code),
    unit           text CHECK (length(unit) BETWEEN 1 AND 64),
    source         text NOT NULL CHECK (source IN ('top_problem', 'anomaly', 'hotspot', 'manual')),
    source_period  text CHECK (length(source_period) BETWEEN 4 AND 16),
    department     text CHECK (length(department) BETWEEN 1 AND 200),
    due_date       date,
    status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'in_progress', 'verified_fixed', 'closed_unfixed')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX problems_status ON problems (status, id);
CREATE INDEX problems_scope ON problems (category, unit);

-- Measures taken, each with the date it took effect (the effect is measured from the first).
CREATE TABLE problem_measures (
    id             bigserial PRIMARY KEY,
    problem_id     bigint NOT NULL REFERENCES problems (id),
    description    text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    effective_date date NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    recorded_by    text NOT NULL
);
CREATE INDEX problem_measures_problem ON problem_measures (problem_id, effective_date);

-- The dated history of a problem and its audit: who (the key's name), when, what.
CREATE TABLE problem_updates (
    id             bigserial PRIMARY KEY,
    problem_id     bigint NOT NULL REFERENCES problems (id),
    kind           text NOT NULL CHECK (kind IN ('created', 'edited', 'measure', 'note', 'status')),
    date           date NOT NULL,          -- the meeting's or the change's date
    note           text,
    old_status     text,
    new_status     text,
    changes        jsonb,                  -- edited: {field: [old, new]}
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    recorded_by    text NOT NULL
);
CREATE INDEX problem_updates_problem ON problem_updates (problem_id, id);

-- Hotspots (聚集性问题): the tickets of a period with a place, read as one index range over
-- received_at (the covering columns spare the heap); clustering is done in C.
CREATE INDEX tickets_hotspot ON tickets (received_at, category) INCLUDE (citizen_hash, lat, lon)
    WHERE lat IS NOT NULL AND lon IS NOT NULL;

-- The effect of a problem scoped to one unit needs that unit's counts in the problem's
-- category: dimension 5, key 'leaf/unit' (a category code has no '/'), complaints and repeats
-- only, kept by intake and dispatch from now on (core/kpi.c) and filled here from what is
-- stored, as 0002 filled the others: a complaint under the unit it is dispatched to, a repeat
-- under the unit of the ticket it repeats. A key longer than a key slot is not counted (the
-- service refuses such a scope).
INSERT INTO kpi_counts (dim, key, month, version, shard, complaints, repeats)
SELECT 5, key, month, version, 0, sum(c), sum(r)
FROM (
    SELECT t.category || '/' || t.unit AS key, t.received_month AS month,
           t.definition_version AS version, 1 AS c, 0 AS r
    FROM tickets t WHERE t.creates_work_order AND coalesce(t.unit, '') <> ''
    UNION ALL
    SELECT t.category || '/' || t.repeat_unit, t.received_month, t.definition_version, 0, 1
    FROM tickets t WHERE t.counts_as_repeat AND coalesce(t.repeat_unit, '') <> ''
) s
WHERE octet_length(key) <= 256
GROUP BY key, month, version;
