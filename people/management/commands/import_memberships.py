from people.membership_importer import import_memberships
from sociograph.ingest.command import CsvImportCommand, Importer
from sociograph.ingest.formats import MEMBERSHIP_COLUMNS


class Command(CsvImportCommand):
    help = (
        "Import membership periods from a CSV with columns person,context,role,since,until "
        "(person: external_id; context: kind:name, created if missing; since/until: YYYY-MM-DD "
        "or empty). A line with the person, context and since of a stored period updates it."
    )
    required_columns = MEMBERSHIP_COLUMNS

    def importer(self) -> Importer:
        return import_memberships
