-- Priority classes: what the forge told of the ref a job runs on (the ref, its kind: default-branch, tag,
-- pull-request or branch) and the deployment environment, so a restart or a new leader classes the job as before.
ALTER TABLE jobs ADD COLUMN job_ref TEXT;
ALTER TABLE jobs ADD COLUMN ref_kind TEXT;
ALTER TABLE jobs ADD COLUMN environment TEXT;
