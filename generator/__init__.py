"""schemagen: one YAML spec of a PostgreSQL schema -> migrations, models and docs."""

__version__ = "0.1.0"
