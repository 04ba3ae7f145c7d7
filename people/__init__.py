"""People, contexts and memberships."""
