"""PostgreSQL: the connection pool, the numbered migrations, every SQL statement, partitions and upkeep."""
