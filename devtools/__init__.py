"""Project-wide commands: demo set-up and health waiting."""
