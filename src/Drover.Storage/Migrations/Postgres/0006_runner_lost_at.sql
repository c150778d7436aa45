-- When the provider reported a runner's instance lost (taken by the infrastructure). A lost runner whose job was not
-- known yet is kept a while, so the job the forge reports on it later is still re-run.
ALTER TABLE runners ADD COLUMN lost_at BIGINT;
