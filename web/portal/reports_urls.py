from django.urls import path

from web.portal.views import reports as views

app_name = "reports"
urlpatterns = [
    path("", views.history, name="history"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]
