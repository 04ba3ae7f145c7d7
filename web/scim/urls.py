"""/scim/v2/ (a trailing slash is accepted too; anything else is a SCIM 404)."""

from django.urls import re_path

from web.scim import views

app_name = "scim"

ID = r"(?P<identifier>[^/]+)"

urlpatterns = [
    re_path(r"^Users/?$", views.UsersView.as_view(), name="users"),
    re_path(rf"^Users/{ID}/?$", views.UserView.as_view(), name="user"),
    re_path(r"^Groups/?$", views.GroupsView.as_view(), name="groups"),
    re_path(rf"^Groups/{ID}/?$", views.GroupView.as_view(), name="group"),
    re_path(r"^ServiceProviderConfig/?$", views.ServiceProviderConfigView.as_view(), name="config"),
    re_path(r"^ResourceTypes/?$", views.ResourceTypesView.as_view(), name="resource-types"),
    re_path(rf"^ResourceTypes/{ID}/?$", views.ResourceTypesView.as_view()),
    re_path(r"^Schemas/?$", views.SchemasView.as_view(), name="schemas"),
    re_path(rf"^Schemas/{ID}/?$", views.SchemasView.as_view()),
    re_path(r"^.*$", views.NotFoundView.as_view()),
]
