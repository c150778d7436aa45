-- Placeholder: migration 9 belongs to a change made alongside this one; this file keeps the numbering without gaps
-- on its own and is replaced by that migration when both are merged. It changes nothing.
SELECT 1;
