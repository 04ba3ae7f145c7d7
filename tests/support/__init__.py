"""Helpers shared by the tests: importable plain functions, classes and constants.

Fixtures stay in the conftest.py files (and use these helpers); no test module imports another
test module or a conftest.py.
"""
