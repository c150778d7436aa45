-- A delivery whose interpretation fails is tried again after a delay, a bounded number of times, then quarantined:
-- kept with the reason and never listed for interpretation again. The waiting ones are read every cycle, fresh ones
-- before retried ones; a partial index keeps that read to the waiting rows, whatever the processed and quarantined
-- ones number.
ALTER TABLE webhook_deliveries ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_deliveries ADD COLUMN next_attempt_at BIGINT;
ALTER TABLE webhook_deliveries ADD COLUMN last_failure TEXT COLLATE "C";
ALTER TABLE webhook_deliveries ADD COLUMN quarantined_at BIGINT;
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries (attempts, received_at, forge, delivery_id)
    WHERE processed_at IS NULL AND quarantined_at IS NULL;
CREATE INDEX webhook_deliveries_quarantined ON webhook_deliveries (quarantined_at) WHERE quarantined_at IS NOT NULL;
