"""Working with a live database: reading its catalog, comparing it with the migrations (drift)."""
