-- Retention (the retain_months setting): the monthly partitions of ticket_facts and
-- ticket_events whose whole UTC month ended `keep` months or more before the current one are
-- detached and dropped, with the ticket_state rows of their tickets. The KPI aggregates
-- (kpi_counts, kpi_defects) are other tables and keep their numbers.
--
-- A month that still holds an open ticket is kept whole: an open work order is never deleted
-- (the decision finds open tickets of any age). It goes on a later run, once they are closed.
--
-- `keep` is what core's rd_settings_retention_months says (never fewer months than the
-- decision's look-up reads); this function only refuses a `keep` below 1. It looks at the
-- months after `after` (NULL: from the oldest), oldest first, and stops once it has dropped
-- `max_drop` of them, so that a caller can drop a long backlog a month a transaction. One row
-- a month looked at: its tickets, the open ones among them, and whether it was dropped.
-- Runs are serialized by an advisory lock, so the service's daily run, a timer's and another
-- instance's may overlap. Every name built is a %I of a partition name read from the catalog.
CREATE FUNCTION rd_drop_months(keep integer, after date, max_drop integer)
    RETURNS TABLE (month text, tickets bigint, open_tickets bigint, dropped boolean)
    LANGUAGE plpgsql
    -- The state rows of a month are probed by primary key from its partition's ticket ids,
    -- never found by a scan of ticket_state, however many months it holds.
    SET enable_hashjoin = off
    SET enable_mergejoin = off
AS $$
DECLARE
    cutoff timestamp;
    part record;
    m timestamp;
    n bigint;
    n_open bigint;
    deleted bigint;
    gone text[] := '{}';
    suffix text;
BEGIN
    IF keep IS NULL OR keep < 1 OR max_drop IS NULL OR max_drop < 1 THEN
        RAISE EXCEPTION 'rd_drop_months: keep and max_drop must be at least 1, not % and %',
            keep, max_drop USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Another run at work: wait for its month's transaction, then take turns.
    PERFORM pg_advisory_xact_lock(723647, 12);
    -- Detaching takes an exclusive lock on the parents for a moment, and requests queue
    -- behind it while it waits: past 2 s this transaction fails instead (the next run goes
    -- on). Also bounds the wait for a month's partition behind a long writer (an import).
    PERFORM set_config('lock_timeout', '2s', true);
    cutoff := date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => keep);
    FOR part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'ticket_facts'::regclass AND c.relname ~ '^ticket_facts_[0-9]{6}$'
        ORDER BY c.relname
    LOOP
        m := to_date(right(part.relname, 6), 'YYYYMM')::timestamp;
        CONTINUE WHEN after IS NOT NULL AND m <= after;
        -- In name order, so in month order.
        EXIT WHEN m + interval '1 month' > cutoff OR cardinality(gone) >= max_drop;
        -- No ticket comes into the month until the commit (a late one waits), so its count
        -- holds; reading is not blocked.
        EXECUTE format('LOCK TABLE %I IN SHARE MODE', part.relname);
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE s.status = %L)'
                       ' FROM %I f JOIN ticket_state s'
                       '  ON s.ticket_id = f.ticket_id AND s.received_at = f.received_at',
                       'open', part.relname)
            INTO n, n_open;
        month := to_char(m, 'YYYY-MM');
        tickets := n;
        open_tickets := n_open;
        dropped := false;
        IF n_open = 0 THEN
            BEGIN
                EXECUTE format('DELETE FROM ticket_state s USING %I f'
                               ' WHERE s.ticket_id = f.ticket_id'
                               '  AND s.received_at = f.received_at AND s.status <> %L',
                               part.relname, 'open');
                GET DIAGNOSTICS deleted = ROW_COUNT;
                IF deleted < n THEN -- reopened since it was counted: undo this month's delete
                    RAISE EXCEPTION 'reopened' USING ERRCODE = 'RDK01';
                END IF;
                dropped := true;
                gone := gone || right(part.relname, 6);
            EXCEPTION WHEN SQLSTATE 'RDK01' THEN
                open_tickets := n - deleted;
            END;
        END IF;
        RETURN NEXT;
    END LOOP;
    -- Detached last, so that the parents' lock is held from here to the commit only.
    FOREACH suffix IN ARRAY gone LOOP
        EXECUTE format('ALTER TABLE ticket_facts DETACH PARTITION %I', 'ticket_facts_' || suffix);
        EXECUTE format('DROP TABLE %I', 'ticket_facts_' || suffix);
        IF EXISTS (SELECT 1 FROM pg_inherits
                   WHERE inhrelid = to_regclass(quote_ident('ticket_events_' || suffix))
                     AND inhparent = 'ticket_events'::regclass) THEN
            EXECUTE format('ALTER TABLE ticket_events DETACH PARTITION %I',
                           'ticket_events_' || suffix);
            EXECUTE format('DROP TABLE %I', 'ticket_events_' || suffix);
        END IF;
    END LOOP;
END $$;
