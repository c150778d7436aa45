-- Retention: the leader deletes, in bounded batches, jobs finished (or expired) and runners gone longer ago than the
-- fleet file's retention. These partial indexes keep finding a batch proportional to the batch, not to the table.
CREATE INDEX jobs_done ON jobs (COALESCE(finished_at, last_event_at)) WHERE state IN ('completed', 'cancelled', 'expired');
CREATE INDEX runners_gone ON runners (state_since) WHERE state = 'gone';
