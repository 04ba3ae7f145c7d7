from recognition.importers import import_events
from sociograph.ingest.command import CsvImportCommand, Importer
from sociograph.ingest.formats import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS


class Command(CsvImportCommand):
    help = (
        "Import recognitions, follows and interactions from a CSV with columns "
        "kind,source,target,context,at,affect,weight,message and optionally "
        "event_id,channel,values,until."
    )
    required_columns = EVENT_COLUMNS
    optional_columns = OPTIONAL_EVENT_COLUMNS

    def importer(self) -> Importer:
        return import_events
