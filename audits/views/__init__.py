"""Audit pages: the lists (lists.py) and the grading journey (grading.py)."""
