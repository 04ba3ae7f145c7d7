"""Named, parameterized Cypher. No other module holds Cypher text."""
