-- Bulk writes: the store's three tables are written only by BitemporalStore, in one transaction,
-- heads first; foreign-key triggers cost about 15 µs a row on COPY and guard nothing that path can
-- break. BitemporalStore.verify() (run by the tests) checks that no row lacks its head or registration.
SET search_path = "${flyway:defaultSchema}", public;

ALTER TABLE registration DROP CONSTRAINT IF EXISTS registration_object_id_fkey;
ALTER TABLE object_version DROP CONSTRAINT IF EXISTS object_version_object_id_fkey;
ALTER TABLE object_version DROP CONSTRAINT IF EXISTS object_version_registration_id_fkey;

-- persons and addresses have no user key, addresses no name: leave them out of those indexes
DROP INDEX object_version_user_key;
CREATE INDEX object_version_user_key ON object_version (type, user_key, owner) WHERE user_key IS NOT NULL;
DROP INDEX object_version_name;
CREATE INDEX object_version_name ON object_version (type, lower(name) text_pattern_ops) WHERE name IS NOT NULL;

-- tree walks: b-tree look-ups of children by parent, filtered by valid and system time. The gist
-- index on (parent_id, valid, sys) is twice as slow per look-up and the planner's generic plans
-- chose it. Walks as known now (the usual case) use the smaller index of current rows only.
DROP INDEX object_version_parent;
CREATE INDEX object_version_parent ON object_version (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX object_version_parent_current ON object_version (parent_id) WHERE upper_inf(sys) AND parent_id IS NOT NULL;
