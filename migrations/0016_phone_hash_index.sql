-- The caller's tickets by phone: a hash index instead of a btree. The screen pop asks for one
-- phone's tickets of the last 24 months, by equality, and sorts the few it gets; it never
-- ranges over phones or reads them in order. A btree entry held the 32-byte keyed hash and the
-- time, and keys arriving in random order left its pages two-thirds full: 91 bytes a ticket on
-- the 200,000-ticket city. A hash index keeps a 4-byte hash code an entry: 34 bytes a ticket,
-- the same two or three pages read a probe. The price: all of one phone's entries of a month
-- share a bucket and its chain of overflow pages, which an insert walks to its end; a phone
-- with tens of thousands of tickets in a month (a switchboard) makes its own intakes read that
-- many pages more, where a btree stays logarithmic. Its screen pop reads them all either way.
DROP INDEX ticket_facts_phone;
CREATE INDEX ticket_facts_phone ON ticket_facts USING hash (phone_hash)
    WHERE phone_hash IS NOT NULL;
