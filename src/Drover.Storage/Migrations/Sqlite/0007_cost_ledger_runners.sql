-- The live cost ledger: each line costs one runner's time of one kind (booting, idle, busy, draining), with the job it
-- ran and the forge scope. runner_costs holds, per runner, how far its life is costed; it moves in the same
-- transaction as the lines it covers, so no interval is costed twice or skipped across restarts and leader changes.
ALTER TABLE cost_ledger ADD COLUMN kind TEXT;
ALTER TABLE cost_ledger ADD COLUMN runner_id TEXT;
ALTER TABLE cost_ledger ADD COLUMN job_forge TEXT;
ALTER TABLE cost_ledger ADD COLUMN job_id TEXT;
ALTER TABLE cost_ledger ADD COLUMN scope TEXT;

CREATE TABLE runner_costs (
    runner_id      TEXT    NOT NULL PRIMARY KEY,
    costed_until   INTEGER NOT NULL,
    billed_seconds TEXT    NOT NULL
) STRICT;

-- Runners gone before this version are not costed after the fact.
INSERT INTO runner_costs (runner_id, costed_until, billed_seconds)
SELECT id, state_since, '0' FROM runners WHERE state = 'gone';

-- Budget alerts already raised: one row per budget, period and threshold (1 for the limit itself), written with the
-- alert's event, so a restart or a new leader never raises (or notifies) one twice.
CREATE TABLE budget_alerts (
    budget       TEXT    NOT NULL,
    period_start INTEGER NOT NULL,
    threshold    TEXT    NOT NULL,
    raised_at    INTEGER NOT NULL,
    PRIMARY KEY (budget, period_start, threshold)
) STRICT;
