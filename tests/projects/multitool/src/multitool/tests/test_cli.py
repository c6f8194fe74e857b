"""Ships in the wheel, not in the compiled program ([tool.pkg.exclude] says why)."""

import pytest


def test_nothing():
    pytest.importorskip("multitool")
