"""One package per transaction set, each with the same modules: segments (segment records), loops (loop
models), transaction_set (the loop description and the top model) and parsing (tree to model); the explicit
registry in ``rcm.x12.sets.registry`` maps (ST01, version) to them."""
