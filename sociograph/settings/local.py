"""Local development and `make demo`: everything on this machine, debug pages on by default."""

from sociograph.settings.base import *  # noqa: F403
from sociograph.settings.environment import env_bool

DEBUG = env_bool("DJANGO_DEBUG", default=True)
