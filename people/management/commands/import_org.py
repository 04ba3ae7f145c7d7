from people.importers import import_org
from sociograph.formats import ORG_COLUMNS
from sociograph.importing_command import CsvImportCommand, Importer


class Command(CsvImportCommand):
    help = (
        "Import people from a CSV with columns external_id,name,email,title,"
        "manager_external_id,contexts (contexts: ';'-separated kind:name)."
    )
    required_columns = ORG_COLUMNS

    def importer(self) -> Importer:
        return import_org
