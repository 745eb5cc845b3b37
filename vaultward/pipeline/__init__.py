"""Collection and evaluation: discovery of checks and collectors, Runs per scope, collection
rounds, what an evaluation may judge (evidence, gaps, freshness), then
load -> judge -> score -> store, with one `Rollup` for every weighted score."""
