"""Migration scripts (a package so that they ship inside the wheel)."""
