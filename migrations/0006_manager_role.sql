-- The manager role: the quality staff who run the improvement loop (problem list, programmes,
-- green-channel assignments). It reads what a dashboard key reads and writes those only.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
    CHECK (role IN ('crm', 'dashboard', 'manager', 'admin'));
