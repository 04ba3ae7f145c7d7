"""The columns of Sociograph's two import formats: a public interface shared by the importers,
the synthetic generator and the dataset readers. Plain constants, no Django."""

ORG_COLUMNS = ("external_id", "name", "email", "title", "manager_external_id", "contexts")
# Optional; when present, an empty cell keeps what is stored.
OPTIONAL_ORG_COLUMNS = ("joined_on", "left_on")
MEMBERSHIP_COLUMNS = ("person", "context", "role", "since", "until")

# Required in every events file, in this order when written.
EVENT_COLUMNS = ("kind", "source", "target", "context", "at", "affect", "weight", "message")
# Optional; when present, their cells may still be empty ("not given").
OPTIONAL_EVENT_COLUMNS = ("event_id", "channel", "values", "until")
# What the generator and the dataset readers write.
EVENT_FILE_COLUMNS = (*EVENT_COLUMNS, "event_id", "channel", "values")
# Cells that may hold several lines (tab, line feed and carriage return allowed).
MULTILINE_COLUMNS = frozenset({"message"})
