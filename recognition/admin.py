from django.contrib import admin

from recognition.models import Follow, Interaction, Recognition
from sociograph.graph.admin import ProjectedModelAdmin


@admin.register(Recognition)
class RecognitionAdmin(ProjectedModelAdmin):
    list_display = ("at", "giver", "receiver", "context", "affect")
    list_filter = ("context__kind",)
    search_fields = ("giver__name", "receiver__name", "giver__external_id", "message")
    autocomplete_fields = ("giver", "receiver", "context")
    date_hierarchy = "at"
    exclude = ("event_key",)


@admin.register(Follow)
class FollowAdmin(ProjectedModelAdmin):
    list_display = ("follower", "leader", "context", "since", "until")
    list_filter = ("context__kind",)
    search_fields = ("follower__name", "leader__name", "context__name")
    autocomplete_fields = ("follower", "leader", "context")
    exclude = ("event_key",)


@admin.register(Interaction)
class InteractionAdmin(ProjectedModelAdmin):
    list_display = ("at", "source", "target", "channel", "context", "weight", "affect")
    list_filter = ("channel",)
    search_fields = ("source__name", "target__name", "source__external_id")
    autocomplete_fields = ("source", "target", "context")
    date_hierarchy = "at"
    exclude = ("event_key",)
