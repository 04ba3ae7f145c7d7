"""Sociograph: how an organization's people actually lead, recognize and talk to one another."""

from sociograph.celery import app as celery_app

__all__ = ("celery_app",)
