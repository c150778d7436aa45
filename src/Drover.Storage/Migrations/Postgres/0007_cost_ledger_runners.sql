-- The live cost ledger: each line costs one runner's time of one kind (booting, idle, busy, draining), with the job it
-- ran and the forge scope. runner_costs holds, per runner, how far its life is costed; it moves in the same
-- transaction as the lines it covers, so no interval is costed twice or skipped across restarts and leader changes.
ALTER TABLE cost_ledger ADD COLUMN kind TEXT COLLATE "C";
ALTER TABLE cost_ledger ADD COLUMN runner_id TEXT COLLATE "C";
ALTER TABLE cost_ledger ADD COLUMN job_forge TEXT COLLATE "C";
ALTER TABLE cost_ledger ADD COLUMN job_id TEXT COLLATE "C";
ALTER TABLE cost_ledger ADD COLUMN scope TEXT COLLATE "C";

CREATE TABLE runner_costs (
    runner_id      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    costed_until   BIGINT NOT NULL,
    billed_seconds TEXT COLLATE "C" NOT NULL
);

-- Runners gone before this version are not costed after the fact.
INSERT INTO runner_costs (runner_id, costed_until, billed_seconds)
SELECT id, state_since, '0' FROM runners WHERE state = 'gone';

-- Budget alerts already raised: one row per budget, period and threshold (1 for the limit itself), written with the
-- alert's event, so a restart or a new leader never raises (or notifies) one twice.
CREATE TABLE budget_alerts (
    budget       TEXT COLLATE "C" NOT NULL,
    period_start BIGINT  NOT NULL,
    threshold    TEXT COLLATE "C" NOT NULL,
    raised_at    BIGINT  NOT NULL,
    PRIMARY KEY (budget, period_start, threshold)
);
