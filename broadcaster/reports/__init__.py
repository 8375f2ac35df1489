"""What the data says: callback hosts, projects, the task list, count history, /metrics."""
