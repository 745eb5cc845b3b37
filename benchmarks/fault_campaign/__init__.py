"""The fault campaign of benchmarks/faults.py: a bench around the real CLI on one store
(`bench`), what a fault left (`outcome`), and the faults themselves by kind (processes
killed, the store failing, bad input from sources and configurations)."""
