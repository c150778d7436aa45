-- Gone runners stay as history; every cycle reads the live ones. A partial index keeps that read proportional to
-- the live runners, not to everything ever created.
CREATE INDEX runners_live ON runners (id) WHERE state <> 'gone';
