"""Importers that bring posts from files into the archive."""
