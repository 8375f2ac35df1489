"""Alerts, their notification channels and the daily digest."""
