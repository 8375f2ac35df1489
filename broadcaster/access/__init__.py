"""Who may do what: credentials, accounts and roles, login throttling, sessions, the audit trail."""
