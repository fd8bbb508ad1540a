-- The decision's look-up on ticket_state alone. The first range (priors inside the lookback)
-- read ticket_facts_candidates in every month of the lookback: a generic plan opens and locks
-- those thirteen partitions and builds an index scan in each on every call, which cost more
-- than the scans themselves (pgbench, the look-up alone: 1.5x the calls a second without them).
-- ticket_state, one table of every ticket, now carries what a candidate needs of its facts
-- (where it lies, its ordinal and chain) and one index by problem: the lookback's priors are one
-- range of it, the old open ones one range of ticket_state_open, and no partition is read.
-- ticket_facts_candidates, no longer read by anything, goes: its bytes pay for the columns.
--
-- The problem key (64 bits of SHA-256, 0011) is the lock and the index; problem_check, the next
-- 64 bits of the same hash, makes a chance collision of two citizens' keys harmless: the
-- look-up asks for both, 128 bits, where it used to compare citizen_hash and category in the
-- facts.
CREATE FUNCTION rd_problem_check(citizen bytea, category text) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ('x' || substr(encode(sha256(convert_to(encode(citizen, 'hex') || '|' || category,
                                                   'UTF8')), 'hex'), 17, 16))::bit(64)::bigint;

ALTER TABLE ticket_state
    ADD COLUMN problem_check  bigint,
    ADD COLUMN lat            double precision,
    ADD COLUMN lon            double precision,
    ADD COLUMN repeat_ordinal integer NOT NULL DEFAULT 0,
    ADD COLUMN chain_id       text;

UPDATE ticket_state s
SET problem_check = rd_problem_check(f.citizen_hash, f.category), lat = f.lat, lon = f.lon,
    repeat_ordinal = f.repeat_ordinal, chain_id = f.chain_id
FROM ticket_facts f
WHERE f.ticket_id = s.ticket_id AND f.received_at = s.received_at;

ALTER TABLE ticket_state ALTER COLUMN problem_check SET NOT NULL,
    ALTER COLUMN chain_id SET NOT NULL, ALTER COLUMN repeat_ordinal DROP DEFAULT;

-- A problem's work orders by time, newest first: the lookback's range.
CREATE INDEX ticket_state_problem ON ticket_state (problem_key, received_at DESC)
    WHERE creates_work_order;
DROP INDEX ticket_facts_candidates;
