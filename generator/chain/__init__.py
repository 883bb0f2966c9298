"""The output directory over time: the chain of migrations, and writing files safely.

history.py reads the migrations already written (checked against the
manifest), adds the next one (the diff of the last saved state and the spec)
and discards the newest; writer.py writes every output atomically and keeps
the manifest; lock.py lets one schemagen at a time use an output directory.
"""
