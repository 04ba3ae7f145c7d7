from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "sociograph.graph"
    label = "graph"
