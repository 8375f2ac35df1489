"""What every concern builds on: settings, errors, shared status values, time, logging, retries, threads."""
