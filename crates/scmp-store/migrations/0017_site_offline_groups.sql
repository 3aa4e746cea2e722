-- Which users a site may hold in its identity cache (so they can work there while it is cut off
-- from the centre): the members of these groups (group ids separated by ';'; empty: none, only the
-- site's break-glass credential), as a read-only domain controller caches only the accounts its
-- password replication policy names.
ALTER TABLE sites ADD COLUMN offline_groups TEXT NOT NULL DEFAULT ''
