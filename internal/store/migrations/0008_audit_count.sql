-- How many identical decisions an audit entry stands for (access.AuditEntry.Count):
-- the audit log merges a client's repeated successful logins within one
-- batch into one entry (access.AuditLog.Tally). Earlier entries stand for one.

ALTER TABLE audit_log ADD COLUMN count BIGINT NOT NULL DEFAULT 1;
