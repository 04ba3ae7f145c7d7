"""Everything that talks to Neo4j: the driver gateway, the Cypher catalog and the schema."""
