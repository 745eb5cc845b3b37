"""CI smoke runs of the benchmarks: small sizes, correctness asserted, no timing."""
