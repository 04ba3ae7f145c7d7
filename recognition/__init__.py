"""Recognitions, follows and interactions: the edges between people."""
