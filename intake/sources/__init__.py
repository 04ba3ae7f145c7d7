"""One parser per source format: each reads its files and yields intake.records, nothing else."""
