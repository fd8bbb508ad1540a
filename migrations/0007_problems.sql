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
