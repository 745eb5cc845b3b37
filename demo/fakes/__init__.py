"""Loopback stand-ins for vendor APIs (Okta, Google, Graph, KnowBe4, ...): the same
response shapes, paging and errors the vendors document, for the demo and the tests."""
