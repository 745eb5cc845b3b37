"""A second test estate, Northwind Digital Assets, written from the vendors' documentation
independently of the demo: AWS in moto, Okta, Entra, KnowBe4, Safe, BitGo and Fireblocks on
the loopback fakes. `estate.northwind_estate` runs it; `expected.expected_verdicts` holds the
verdicts written by hand before the product was run on it."""
