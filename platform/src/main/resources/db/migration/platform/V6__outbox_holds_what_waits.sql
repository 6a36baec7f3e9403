-- Completed publications are deleted as they complete (spring.modulith.events.completion-mode:
-- delete): the change feed and the message distributor keep what happened, and the outbox, which
-- kept every event of every write for ever, holds only what has yet to be delivered. Those kept so
-- far go, and so does the index on the completion date, which every remaining row has empty.
DELETE FROM event_publication WHERE completion_date IS NOT NULL;
DROP INDEX event_publication_by_completion_date_idx;
