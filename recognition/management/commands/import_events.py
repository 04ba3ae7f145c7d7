from recognition.importers import import_events
from sociograph.formats import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS
from sociograph.importing_command import CsvImportCommand, Importer


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
