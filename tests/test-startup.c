/* test-startup.c: the start-up path (issue 11): a registration asks for
 * bluetoothd's name and looks the default adapter up at the same time, and
 * an adapter made from its path is registered on without a lookup.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"

#include <string.h>

#define WAIT_MS 10000

static void
setup (FakeFixture   *fx,
       gconstpointer  data)
{
  fake_fixture_setup (fx, data);
}

static GVariant *
ctrl (FakeFixture *fx,
      const char  *method,
      const char  *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_sync (fx->conn, "org.gattperiph.FakeBlueZ",
                                       "/org/gattperiph/FakeBlueZ", "org.gattperiph.FakeBlueZ1",
                                       method, NULL, G_VARIANT_TYPE (reply_type),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static guint
fake_count (FakeFixture *fx,
            const char  *method,
            const char  *reply_type)
{
  g_autoptr(GVariant) reply = ctrl (fx, method, reply_type);
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);

  return g_variant_n_children (list);
}

static guint
fake_apps (FakeFixture *fx)
{
  return fake_count (fx, "GetApplications", "(a(so))");
}

static GpApplication *
app_new (FakeFixture *fx)
{
  GpApplication *app = gp_application_new_for_connection (fx->conn, "/test/app");
  g_autoptr(GpService) service = gp_service_new ("180d", TRUE, NULL);
  g_autoptr(GpCharacteristic) chrc =
    gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ, NULL);

  g_assert_true (gp_service_add_characteristic (service, chrc, NULL));
  g_assert_true (gp_application_add_service (app, service, NULL));
  return app;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static gboolean
register_app (GpApplication  *app,
              GpAdapter      *adapter,
              GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gp_application_register_async (app, adapter, NULL, store_result, &result);
  spin_until (has_result, &result, WAIT_MS);
  return gp_application_register_finish (app, result, error);
}

/* Whether the application's root is exported on its connection: a call
 * from anyone but bluetoothd is refused by an exported object, and
 * unknown to GDBus when nothing is exported there. */
static gboolean
app_exported (FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  other = g_dbus_connection_new_for_address_sync (address,
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (other, g_dbus_connection_get_unique_name (fx->conn),
                                       "/test/app", "org.freedesktop.DBus.ObjectManager",
                                       "GetManagedObjects", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_null (reply);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
    return FALSE;
  g_assert_nonnull (error);
  return TRUE;
}

/* The default adapter's lookup fails (no adapter is powered) while the
 * name of bluetoothd, asked at the same time, is known: one clean error,
 * nothing exported or registered, and the next registration, once an
 * adapter is on, goes through. */
static void
test_lookup_fails (FakeFixture   *fx,
                   gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx);
  g_autoptr(GError) error = NULL;

  fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", "Powered",
                           g_variant_new_boolean (FALSE));
  g_assert_false (register_app (app, NULL, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_READY);
  g_clear_error (&error);
  g_assert_false (gp_application_get_registered (app));
  g_assert_cmpint (gp_application_get_registration_state (app), ==,
                   GP_REGISTRATION_STATE_UNREGISTERED);
  g_assert_null (gp_application_get_adapter (app));
  g_assert_false (app_exported (fx));
  g_assert_cmpuint (fake_stat (fx, "RegisterApplication"), ==, 0);
  g_assert_cmpuint (fake_apps (fx), ==, 0);

  fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", "Powered",
                           g_variant_new_boolean (TRUE));
  g_assert_true (register_app (app, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gp_application_get_registered (app));
  g_assert_cmpstr (gp_adapter_get_object_path (gp_application_get_adapter (app)), ==,
                   "/org/bluez/hci0");
  g_assert_true (app_exported (fx));
  g_assert_cmpuint (fake_apps (fx), ==, 1);
}

/* An adapter made from a path that BlueZ does not have: the application
 * was exported before BlueZ said no; it is unexported again, the error
 * is clear, and BlueZ keeps nothing. */
static void
test_unknown_adapter_path (FakeFixture   *fx,
                           gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx);
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci7");
  g_autoptr(GError) error = NULL;

  g_assert_false (register_app (app, adapter, &error));
  g_assert_nonnull (error);
  /* BlueZ's own error (UnknownObject), naming the adapter. */
  g_assert_nonnull (strstr (error->message, "/org/bluez/hci7"));
  g_assert_false (gp_application_get_registered (app));
  g_assert_cmpint (gp_application_get_registration_state (app), ==,
                   GP_REGISTRATION_STATE_UNREGISTERED);
  g_assert_false (app_exported (fx));
  g_assert_cmpuint (fake_apps (fx), ==, 0);
  /* The failed attempt let the adapter read BlueZ's objects. */
  fake_wait_stat (fx, "BluezGetManagedObjects", 1, WAIT_MS);
}

static gboolean
both_done (gpointer data)
{
  GAsyncResult **results = data;

  return results[0] != NULL && results[1] != NULL;
}

/* What a program that knows its adapter does (bench/gp-bench-radio-lib.c):
 * the adapter from its path, no lookup, and the application and the
 * advertisement registered at the same time. Both get in, on that
 * adapter, and the adapter learns its properties in the background. */
static void
test_known_adapter_in_parallel (FakeFixture   *fx,
                                gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx);
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci0");
  GAsyncResult *results[2] = { NULL, NULL };
  g_autoptr(GError) error = NULL;

  gp_advertisement_set_local_name (adv, "Startup");
  gp_application_register_async (app, adapter, NULL, store_result, &results[0]);
  gp_advertisement_start_async (adv, adapter, NULL, store_result, &results[1]);
  spin_until (both_done, results, WAIT_MS);
  g_assert_true (gp_application_register_finish (app, results[0], &error));
  g_assert_no_error (error);
  g_assert_true (gp_advertisement_start_finish (adv, results[1], &error));
  g_assert_no_error (error);
  g_clear_object (&results[0]);
  g_clear_object (&results[1]);

  g_assert_true (gp_application_get_registered (app));
  g_assert_true (gp_application_get_adapter (app) == adapter);
  g_assert_cmpuint (fake_apps (fx), ==, 1);
  g_assert_cmpuint (fake_count (fx, "GetAdvertisements", "(aa{sv})"), ==, 1);
  /* Both reached bluetoothd before the adapter asked for its whole object
   * tree, which bluetoothd would have built first (one call at a time). */
  g_assert_cmpuint (fake_stat (fx, "RegisteredAfterTreeRead"), ==, 0);
  spin_until ((gboolean (*) (gpointer)) gp_adapter_get_present, adapter, WAIT_MS);
  g_assert_true (gp_adapter_get_powered (adapter));
  g_assert_cmpuint (fake_stat (fx, "BluezGetManagedObjects"), ==, 1);
}

/* The registration asks for bluetoothd's name and looks the default
 * adapter up at once. Cancelled when the name is known but the lookup is
 * not (bluetoothd still builds its object tree): the name's answer comes
 * from the bus daemon, in order, before the answer that makes the lookup
 * ask for the tree, so it is in when the fake sees that call. One
 * CANCELLED error, nothing registered or exported, and no unregistration
 * sent with an adapter path nobody knows yet (that was a GLib critical,
 * fatal here); once bluetoothd answers, registering again goes through. */
static void
test_cancel_between_lookups (FakeFixture   *fx,
                             gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_unref (fake_control_call (fx, "HoldObjectTree", g_variant_new ("(b)", TRUE), NULL));
  gp_application_register_async (app, NULL, cancellable, store_result, &result);
  fake_wait_stat (fx, "BluezGetManagedObjects", 1, WAIT_MS);
  g_assert_null (result);
  g_cancellable_cancel (cancellable);
  spin_until (has_result, &result, WAIT_MS);
  g_assert_false (gp_application_register_finish (app, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gp_application_get_registered (app));
  g_assert_cmpint (gp_application_get_registration_state (app), ==,
                   GP_REGISTRATION_STATE_UNREGISTERED);
  g_assert_false (app_exported (fx));

  g_variant_unref (fake_control_call (fx, "HoldObjectTree", g_variant_new ("(b)", FALSE), NULL));
  spin_for (100);
  g_assert_cmpuint (fake_stat (fx, "RegisterApplication"), ==, 0);
  g_assert_cmpuint (fake_apps (fx), ==, 0);
  g_assert_true (register_app (app, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_apps (fx), ==, 1);
}

static gboolean
registration_held (gpointer data)
{
  return fake_control_count (data, "GetHeldRegistrations", "(as)") == 1;
}

/* A registration in flight on a known adapter defers the reading of
 * BlueZ's objects, but not for somebody who waits for them: a lookup
 * made meanwhile completes while bluetoothd still holds the registration,
 * and cancelling the registration leaves nothing held. */
static void
test_lookup_while_registering (FakeFixture   *fx,
                               gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx);
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci0");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) registered = NULL;
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GpAdapter) other = NULL;
  g_autoptr(GError) error = NULL;

  /* bluetoothd holds registrations without answering. */
  g_variant_unref (fake_control_call (fx, "FailRegistrations", g_variant_new ("(u)", 0), NULL));
  gp_application_register_async (app, adapter, cancellable, store_result, &registered);
  spin_until (registration_held, fx, WAIT_MS);

  gp_adapter_find_async (fx->conn, NULL, NULL, store_result, &found);
  spin_until (has_result, &found, WAIT_MS);
  other = gp_adapter_find_finish (found, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gp_adapter_get_object_path (other), ==, "/org/bluez/hci0");
  g_assert_null (registered);
  g_assert_cmpuint (fake_stat (fx, "BluezGetManagedObjects"), ==, 1);
  spin_until ((gboolean (*) (gpointer)) gp_adapter_get_present, adapter, WAIT_MS);

  g_cancellable_cancel (cancellable);
  spin_until (has_result, &registered, WAIT_MS);
  g_assert_false (gp_application_register_finish (app, registered, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gp_application_get_registered (app));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/startup/lookup-fails", FakeFixture, NULL, setup, test_lookup_fails,
              fake_fixture_teardown);
  g_test_add ("/startup/unknown-adapter-path", FakeFixture, NULL, setup,
              test_unknown_adapter_path, fake_fixture_teardown);
  g_test_add ("/startup/known-adapter-in-parallel", FakeFixture, NULL, setup,
              test_known_adapter_in_parallel, fake_fixture_teardown);
  g_test_add ("/startup/lookup-while-registering", FakeFixture, NULL, setup,
              test_lookup_while_registering, fake_fixture_teardown);
  g_test_add ("/startup/cancel-between-lookups", FakeFixture, NULL, setup,
              test_cancel_between_lookups, fake_fixture_teardown);
  return g_test_run ();
}
