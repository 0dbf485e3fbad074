"""Feature builders: per-district, per-period indicators with no leakage (issue #3; not built yet)."""
