"""Small organizations (rows of the org CSV) that several test modules import."""

from __future__ import annotations

# E1 CEO; E2 manages E3, E4; E5 manages E6, E7, E8; community:Guild E3-E8.
LEADERSHIP_ORG = [
    "E1,Ada,,CEO,,team:Leadership",
    "E2,Bea,,Manager,E1,team:Platform",
    "E3,Cai,,Engineer,E2,team:Platform;community:Guild",
    "E4,Dee,,Engineer,E2,team:Platform;community:Guild",
    "E5,Eli,,Analyst,E1,team:Insights;community:Guild",
    "E6,Fay,,Engineer,E5,community:Guild",
    "E7,Gus,,Engineer,E5,community:Guild",
    "E8,Hal,,Engineer,E5,community:Guild",
]

# A person in Neo4j that SQL never had (a reconcile finds it extra).
STRAY_UUID = "ffffffff-0000-4000-8000-000000000000"
