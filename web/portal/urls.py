from django.contrib.auth import views as auth_views
from django.urls import path

from sociograph.accounts.login_throttle import throttled_login
from web.portal.views import imports, intake, network, outcomes, pages, runs

app_name = "portal"
urlpatterns = [
    path("", pages.home, name="home"),
    path(
        "login/",
        throttled_login(auth_views.LoginView.as_view(template_name="portal/login.html")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:login"), name="logout"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("contexts/", pages.contexts, name="contexts"),
    path("contexts/<int:pk>/leadership/", pages.leadership, name="leadership"),
    path("people/<int:pk>/", pages.person, name="person"),
    path("me/", pages.me, name="me"),
    path("me/analytics-opt-out/", pages.opt_out, name="opt-out"),
    path("runs/start/", runs.start_run, name="start-run"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run-progress"),
    path("import/", imports.import_csv, name="import"),
    path("import/sources/", intake.upload_source, name="import-source"),
    path("network/", network.explorer, name="network"),
    path("network/data/", network.network_data, name="network-data"),
    path("outcomes/backtests/", outcomes.backtests, name="backtests"),
    path("outcomes/backtests/<int:pk>/", outcomes.backtest, name="backtest"),
    path(
        "outcomes/person-forecasts/switch/",
        outcomes.switch_person_forecast_list,
        name="person-forecast-switch",
    ),
]
