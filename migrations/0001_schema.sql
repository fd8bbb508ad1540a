-- repeatd schema: categories, settings and their audit, API keys, tickets and their events.
-- Business rules live in C (src/core); the database keeps facts and the current state.

CREATE TABLE categories (
    code        text PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 64),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    parent      text REFERENCES categories (code),
    policy      boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX categories_parent ON categories (parent);

-- Current value of every setting of DOMAIN.md, by name; the defaults are written at start.
CREATE TABLE settings (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL
);

-- Each change of the settings that define a repeat makes a new version; decisions and KPI
-- answers carry the version they were made under.
CREATE TABLE definition_versions (
    version     integer PRIMARY KEY,
    settings    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL
);

CREATE TABLE settings_audit (
    id          bigserial PRIMARY KEY,
    key         text NOT NULL,
    old_value   jsonb,
    new_value   jsonb NOT NULL,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    definition_version integer NOT NULL
);

CREATE TABLE api_keys (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('crm', 'dashboard', 'admin')),
    key_hash    bytea NOT NULL UNIQUE,   -- SHA-256 of the key; the key itself is never stored
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE tickets (
    ticket_id           text PRIMARY KEY,
    citizen_hash        bytea NOT NULL,  -- HMAC-SHA256 of the citizen key (CRM id or phone)
    phone_hash          bytea,           -- HMAC-SHA256 of the phone, for the caller screen pop
    phone_masked        text,
    category            text NOT NULL REFERENCES categories (code),
    received_at         timestamptz NOT NULL,
    channel             text,
    address             text,
    lat                 double precision,
    lon                 double precision,
    description         text,
    claim               text,
    new_evidence        boolean NOT NULL DEFAULT false,
    request_hash        bytea NOT NULL,  -- SHA-256 of the canonical request, for idempotency
    -- The decision, as answered.
    decision            text NOT NULL,
    rule                text NOT NULL,
    counts_as_repeat    boolean NOT NULL,
    creates_work_order  boolean NOT NULL,
    repeat_ordinal      integer NOT NULL,
    chain_id            text NOT NULL,
    related_ticket_id   text REFERENCES tickets (ticket_id),
    definition_version  integer NOT NULL REFERENCES definition_versions (version),
    answer              jsonb NOT NULL,  -- the answer without its script
    script_zh           text NOT NULL,
    script_en           text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- The current state, kept up to date by each event in the event's transaction.
    status              text NOT NULL CHECK (status IN ('open', 'closed')),
    unit                text,
    team                text,
    handler             text,
    dispatched_at       timestamptz,
    deadline            timestamptz,
    contact_reached     boolean NOT NULL DEFAULT false,
    contact_failures    integer NOT NULL DEFAULT 0,
    first_contact_failed boolean,        -- NULL until the first contact attempt
    closeout_accepted   boolean NOT NULL DEFAULT false,
    closeout_rejections integer NOT NULL DEFAULT 0,
    closeout_unresolved boolean NOT NULL DEFAULT false,
    followup_recorded   boolean NOT NULL DEFAULT false,
    followup_reached    boolean NOT NULL DEFAULT false,
    false_closeout      boolean NOT NULL DEFAULT false,
    closed_at           timestamptz,
    outcome             text,
    calls               integer NOT NULL DEFAULT 0  -- later calls decided excluded_* about it
);

-- The decision's look-up: one index range scan on citizen + category, newest first.
CREATE INDEX tickets_candidates ON tickets (citizen_hash, category, received_at DESC)
    WHERE creates_work_order;
CREATE INDEX tickets_phone ON tickets (phone_hash, received_at DESC) WHERE phone_hash IS NOT NULL;
CREATE INDEX tickets_chain ON tickets (chain_id);
CREATE INDEX tickets_related ON tickets (related_ticket_id) WHERE related_ticket_id IS NOT NULL;

CREATE TABLE ticket_events (
    id          bigserial PRIMARY KEY,
    ticket_id   text NOT NULL REFERENCES tickets (ticket_id),
    type        text NOT NULL,
    at          timestamptz NOT NULL,
    body        jsonb NOT NULL,
    accepted    boolean NOT NULL DEFAULT true,  -- false: a close-out rejected by inspection
    defects     jsonb,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
