"""Shared fixtures: one QEMU boot per scenario (test module)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from zvm import FATAL, Zvm  # noqa: E402


@pytest.fixture(scope="module")
def vm(request):
    """A booted zvm for the whole module; its log is build/test-logs/<module>.log.

    A module that expects a fatal exception sets ALLOW_FATAL = True."""
    name = request.module.__name__.split(".")[-1]
    scenario = name[len("test_"):] if name.startswith("test_") else name
    with Zvm(scenario) as machine:
        yield machine
        if not getattr(request.module, "ALLOW_FATAL", False):
            assert FATAL not in machine.transcript(), \
                "%s: a fatal exception was reported (see %s)" % (
                    scenario, machine.log_path)
