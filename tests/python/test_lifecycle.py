# SPDX-License-Identifier: LGPL-2.1-or-later
"""The registration lifecycle through the typelib: the same properties and
signal on applications, advertisements and agents."""
import gi
import pytest

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp  # noqa: E402

from conftest import run_async, spin_until  # noqa: E402


def make_app(conn):
    app = Gp.Application.new_for_connection(conn, "/py/app")
    svc = Gp.Service.new("180d", True)
    svc.add_characteristic(Gp.Characteristic.new("2a37", Gp.CharacteristicFlags.READ))
    app.add_service(svc)
    return app


def register_all(conn):
    app = make_app(conn)
    adv = Gp.Advertisement.new_for_connection(conn, "/py/adv")
    adv.props.local_name = "py"
    agent = Gp.Agent.new_for_connection(conn, "/py/agent", Gp.AgentCapability.DISPLAY_YES_NO)
    run_async(lambda cb: app.register_async(None, None, cb), app.register_finish)
    run_async(lambda cb: adv.start_async(None, None, cb), adv.start_finish)
    run_async(lambda cb: agent.register_async(True, None, cb), agent.register_finish)
    return app, adv, agent


@pytest.mark.parametrize("kind", ["app", "adv", "agent"])
def test_same_lifecycle_api(kind):
    cls = {"app": Gp.Application, "adv": Gp.Advertisement, "agent": Gp.Agent}[kind]
    names = {p.name for p in cls.list_properties()}
    assert {"registered", "registration-state", "auto-register"} <= names
    assert "active" not in names
    assert "registration-changed" in [gi.repository.GObject.signal_name(i)
                                      for i in gi.repository.GObject.signal_list_ids(cls)]


def test_restart_registers_all_again(fake):
    objects = register_all(fake.conn)
    seen = {o: [] for o in objects}
    for o in objects:
        assert o.props.registered
        assert o.props.registration_state == Gp.RegistrationState.REGISTERED
        o.connect("registration-changed",
                  lambda obj, state, reason: seen[obj].append((state, reason)))

    fake.call("Restart")
    spin_until(lambda: all(len(s) == 2 for s in seen.values()), 10000)
    for o in objects:
        assert seen[o] == [(Gp.RegistrationState.LOST, Gp.RegistrationReason.BLUEZ_EXITED),
                           (Gp.RegistrationState.REGISTERED, Gp.RegistrationReason.REREGISTERED)]
        assert o.props.registered
    app, adv, agent = objects
    run_async(lambda cb: adv.stop_async(None, cb), adv.stop_finish)
    assert adv.props.registration_state == Gp.RegistrationState.UNREGISTERED
