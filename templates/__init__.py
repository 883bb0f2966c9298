"""Jinja templates of schemagen, shipped inside the package (no code here)."""
