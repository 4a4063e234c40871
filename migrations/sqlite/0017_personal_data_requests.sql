-- Personal-data requests: exports and erasures of a person's data (GDPR, Serbian ZZPL) are audit entries
-- of their own actions. The administration's list of them reads this index (newest first by id) instead
-- of scanning the whole audit trail.
CREATE INDEX audit_personal_data ON audit_entries(id) WHERE action IN ('personal_export', 'personal_erase');
