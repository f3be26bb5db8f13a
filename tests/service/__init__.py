"""Tests of the HTTP service (a package, so that its conftest keeps its own module name)."""
