"""Scenario library: seeded organizations with planted instances of each finding, near misses and
null scenarios where a finding must not fire (see docs/analytics.md, "Null scenarios")."""
