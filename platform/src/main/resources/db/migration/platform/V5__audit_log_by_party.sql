-- Finding every use of a person's data (GDPR access requests, the audit log API): by the CPR or CVR
-- searched or read, newest first.
CREATE INDEX audit_log_party ON audit_log ((coalesce(details->>'party', details->>'cpr')), at);
