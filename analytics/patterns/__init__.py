"""The pattern catalog: one module per family, each with its Cypher, its definitions and sources.

A family exposes `FAMILY`, a `Family` whose `compute(window)` returns a `FamilyResult`.
"""
