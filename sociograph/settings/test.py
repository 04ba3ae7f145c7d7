"""Test settings: the same services as local, fast password hashing, no debug."""

from sociograph.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
