-- Classification keeps its objects in the bitemporal store (V1): classifications, facets, classes.
-- Look-ups by user key within a classification (owner) at any time.
CREATE INDEX class_user_key_owner ON ${flyway:defaultSchema}.object_version (owner, user_key) WHERE type = 'class';
