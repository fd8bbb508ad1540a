-- A counter that every change of the settings bumps, so that a server can keep the parsed
-- settings in memory and check one integer per transaction instead of re-reading them all.
CREATE TABLE settings_revision (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    revision    bigint NOT NULL
);
INSERT INTO settings_revision (revision) VALUES (1);
