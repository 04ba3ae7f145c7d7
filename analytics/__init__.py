"""Pattern mining runs, metrics, findings and reports."""
