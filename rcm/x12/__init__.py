"""X12 5010 for health care: read, structure, model, validate, acknowledge and write.

    tokenizer.iter_segments      bytes in any encoding -> positioned Segments (delimiters from each ISA)
    reader.read_transactions     streaming ST..SE Transactions with their ISA/GS (read_file: whole file)
    engine.build_tree            one loop engine over the declarative LoopSpecs of rcm.x12.sets
    sets.registry                (ST01, guide) -> loop description and typed model (Remittance, ClaimBatch...)
    writer.write_interchange     models back to X12 with counts and control numbers (write_file: round trips)
    validation, balancing, inspect, acks   SNIP 1-2 checks, 835/837 balancing, inspect JSON, 999/TA1 out

Importing this package loads nothing else: import the module you need.
"""
