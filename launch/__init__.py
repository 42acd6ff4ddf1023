"""Package launch (see README)."""
