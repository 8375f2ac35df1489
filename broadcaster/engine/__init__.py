"""The pass: claiming, planning, fetching, deciding, recording; one runner among many processes."""
