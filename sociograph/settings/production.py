"""Production: refuses to start with the local secret key; HTTPS cookies."""

from django.core.exceptions import ImproperlyConfigured

from sociograph.settings.base import *  # noqa: F403
from sociograph.settings.environment import ENV_VARS, env

if env("DJANGO_SECRET_KEY") == ENV_VARS["DJANGO_SECRET_KEY"].default:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
