"""`python -m bench`: run the X12 benchmark, print the table, write bench/out/x12_bench.json."""

from bench.x12_bench import main

main()
