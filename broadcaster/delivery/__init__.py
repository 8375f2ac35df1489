"""The webhook to X2C: its body, signature, SSRF-safe sending and retries."""
