# SPDX-License-Identifier: LGPL-2.1-or-later
"""The gattperiph tool against the fake BlueZ of tests/python/conftest.py:
the private bus stands in for the system bus (DBUS_SYSTEM_BUS_ADDRESS)."""
import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "gp_binding_conftest", os.path.join(os.path.dirname(__file__), "..", "python", "conftest.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
fake = _mod.fake
