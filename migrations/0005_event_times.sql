-- When the close-out in force was accepted and the follow-up recorded, so that an event dated
-- before them (a closing before its follow-up, say) is refused as out of order.
ALTER TABLE tickets ADD COLUMN closeout_accepted_at timestamptz;
ALTER TABLE tickets ADD COLUMN followup_at timestamptz;
