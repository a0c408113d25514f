"""Errors about the template, each a one-line message naming the fix."""

from __future__ import annotations


class TemplateError(Exception):
    """The template cannot be read, translated or run locally."""
