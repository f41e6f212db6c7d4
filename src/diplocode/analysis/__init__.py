"""Pure functions from codings to tables."""
