"""Package thermal (see README)."""
