"""The spec as written: YAML read with the position of every value, and validated.

positions.py reads YAML keeping lines and columns; loader.py validates each
file with the Pydantic models of model.py (unknown keys rejected); config.py
reads the project's settings; origins.py records, beside the IR, where each
object is written.
"""
