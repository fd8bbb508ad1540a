-- The periodic report's problem-list movements (store/problems.c, store_problem_movements)
-- read the problems that moved in a period through these ranges, never the whole list: those
-- entered in it, those whose status changed in it (or reached a final status after it, for
-- the problems overdue at its end), and those with a measure that took effect in it.
CREATE INDEX problems_created ON problems (created_at);
CREATE INDEX problem_updates_status_date ON problem_updates (date, problem_id)
    WHERE kind = 'status';
CREATE INDEX problem_measures_date ON problem_measures (effective_date, problem_id);
