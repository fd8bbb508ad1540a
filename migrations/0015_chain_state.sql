-- A chain's newest repeat, found in ticket_state. The green channel's worklist asks, for every
-- open counted repeat, whether a later repeat of its chain exists; asked of ticket_facts (by
-- ticket_facts_chain, 0013), that probed the chain index of every month once a row, since a
-- chain's tickets may lie in any month: 670 ms p95 for the worklist on the ten-million-ticket
-- city. ticket_state already holds every ticket's chain (0014) and, in green_ordinal, the
-- ordinal of each counted repeat (NULL otherwise, set once at intake): one index of it answers
-- in one range, whatever the months kept. The facts index, read by nothing else, goes.
CREATE INDEX ticket_state_chain ON ticket_state (chain_id, green_ordinal DESC)
    WHERE green_ordinal IS NOT NULL;
DROP INDEX ticket_facts_chain;
