-- Labels of tenants and projects (a JSON object of key to value), which governance policies read.
ALTER TABLE tenants ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
ALTER TABLE projects ADD COLUMN labels TEXT NOT NULL DEFAULT '{}'
