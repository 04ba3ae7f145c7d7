"""Production: refuses a known or weak secret key; HTTPS only (redirect, HSTS, Secure cookies).

Generate a key with `python -c "import secrets; print(secrets.token_urlsafe(64))"`.
"""

from django.core.exceptions import ImproperlyConfigured

from sociograph.settings.base import *  # noqa: F403
from sociograph.settings.environment import env
from sociograph.settings.secret_key import secret_key_problem

_key_problem = secret_key_problem(env("DJANGO_SECRET_KEY"))
if _key_problem:
    raise ImproperlyConfigured(f"DJANGO_SECRET_KEY {_key_problem} (docs/deployment.md)")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Behind a TLS-terminating proxy, which must set X-Forwarded-Proto (and strip it from clients).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# Load balancers and the Compose healthcheck probe /health/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
