from outcomes.importers import OUTCOME_COLUMNS, import_outcomes
from sociograph.ingest.command import CsvImportCommand, Importer


class Command(CsvImportCommand):
    help = (
        "Import outcomes from a CSV with columns kind,subject,at,value,scale,context: departures "
        "(subject external_id, value voluntary/involuntary/empty), survey answers wellbeing, "
        "engagement, enps (subject external_id, value on the scale min-max, optional context) "
        "and team results (subject the KPI, context kind:name, value). See docs/outcomes.md."
    )
    required_columns = OUTCOME_COLUMNS

    def importer(self) -> Importer:
        return import_outcomes
