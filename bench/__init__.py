"""The X12 benchmark (`make bench`): generated 837P and 835 files, each stage timed in its own process."""
