-- The improvement loop's programmes (末位改善专项) and the green-channel worklist (专人维护核查),
-- with one audit trail of who changed what. Rates and ranks are never stored here: they are
-- read from the KPI aggregates when asked for.

CREATE TABLE programmes (
    id              bigserial PRIMARY KEY,
    scope           text NOT NULL CHECK (scope IN ('unit', 'team')),
    code            text NOT NULL,
    responsible     text NOT NULL,
    measures        text NOT NULL,
    checkin_days    integer NOT NULL CHECK (checkin_days BETWEEN 1 AND 365),
    opened_at       timestamptz NOT NULL,
    opened_by       text NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at       timestamptz,
    closed_by       text,
    close_note      text,
    exit_met_at_close boolean,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX programmes_status ON programmes (status, id);
-- One open programme per unit or team: a second would split its check-ins.
CREATE UNIQUE INDEX programmes_one_open ON programmes (scope, code) WHERE status = 'open';

CREATE TABLE programme_checkins (
    id           bigserial PRIMARY KEY,
    programme_id bigint NOT NULL REFERENCES programmes (id),
    at           timestamptz NOT NULL,
    status       text NOT NULL CHECK (status IN ('on_track', 'at_risk', 'off_track')),
    notes        text NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX programme_checkins_programme ON programme_checkins (programme_id, at);

-- A chain's specialist; the chain is the id of its first ticket (tickets.chain_id).
CREATE TABLE green_assignments (
    chain_id     text PRIMARY KEY,
    specialist   text NOT NULL,
    assigned_at  timestamptz NOT NULL,
    assigned_by  text NOT NULL
);

CREATE TABLE green_verifications (
    id           bigserial PRIMARY KEY,
    chain_id     text NOT NULL REFERENCES green_assignments (chain_id),
    specialist   text NOT NULL,
    at           timestamptz NOT NULL,
    found        text NOT NULL,
    solved       boolean NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX green_verifications_chain ON green_verifications (chain_id, at);

-- Every change of a programme or an assignment: who (the key's name), when, what (the fields
-- as written).
CREATE TABLE loop_audit (
    id          bigserial PRIMARY KEY,
    entity      text NOT NULL CHECK (entity IN ('programme', 'green_chain')),
    entity_id   text NOT NULL,
    action      text NOT NULL,
    detail      jsonb NOT NULL,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX loop_audit_entity ON loop_audit (entity, entity_id, id);
