"""A database backend that starts the project's own PostgreSQL when no DATABASE_URL is set."""
