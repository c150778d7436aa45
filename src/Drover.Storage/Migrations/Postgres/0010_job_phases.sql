-- Time-to-runner by phase: when Drover first knew of a job, the boot milestones of the runner that took it (copied
-- from the runner when the job started on it), and the runner's own milestones, so a restart or a new leader keeps them.
ALTER TABLE jobs ADD COLUMN known_at BIGINT;
ALTER TABLE jobs ADD COLUMN phase_runner_id TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN runner_requested_at BIGINT;
ALTER TABLE jobs ADD COLUMN instance_created_at BIGINT;
ALTER TABLE jobs ADD COLUMN runner_registered_at BIGINT;
ALTER TABLE jobs ADD COLUMN runner_ready_at BIGINT;
ALTER TABLE runners ADD COLUMN provisioned_at BIGINT;
ALTER TABLE runners ADD COLUMN registered_at BIGINT;
ALTER TABLE runners ADD COLUMN ready_at BIGINT;
