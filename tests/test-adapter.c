/* test-adapter.c: GpAdapter and GpDevice against the fake BlueZ: properties,
 * connections, hotplug, and the device of a request.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gattperiph.h"

#include <string.h>

static const char * const two_adapters[] = { "--adapters", "hci0,hci1", NULL };

static void
setup_two (FakeFixture   *fx,
           gconstpointer  data)
{
  fake_fixture_setup_with_args (fx, two_adapters);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GpAdapter *
find (FakeFixture  *fx,
      const char   *name,
      GError      **error)
{
  GAsyncResult *result = NULL;
  GpAdapter *adapter;

  gp_adapter_find_async (fx->conn, name, NULL, store_result, &result);
  adapter = gp_adapter_find_finish (wait_for (&result), error);
  g_object_unref (result);
  return adapter;
}

typedef struct
{
  GPtrArray *connected;
  GPtrArray *disconnected;
  guint      vanished;
  guint      appeared;
} Events;

static void
on_connected (GpAdapter *adapter,
              GpDevice  *device,
              Events    *ev)
{
  g_assert_true (gp_device_get_connected (device));
  g_ptr_array_add (ev->connected, g_object_ref (device));
}

static void
on_disconnected (GpAdapter *adapter,
                 GpDevice  *device,
                 Events    *ev)
{
  g_assert_false (gp_device_get_connected (device));
  g_ptr_array_add (ev->disconnected, g_object_ref (device));
}

static void
on_vanished (GpAdapter *adapter,
             Events    *ev)
{
  g_assert_false (gp_adapter_get_present (adapter));
  ev->vanished++;
}

static void
on_appeared (GpAdapter *adapter,
             Events    *ev)
{
  g_assert_true (gp_adapter_get_present (adapter));
  ev->appeared++;
}

static void
events_connect (Events    *ev,
                GpAdapter *adapter)
{
  ev->connected = g_ptr_array_new_with_free_func (g_object_unref);
  ev->disconnected = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (adapter, "device-connected", G_CALLBACK (on_connected), ev);
  g_signal_connect (adapter, "device-disconnected", G_CALLBACK (on_disconnected), ev);
  g_signal_connect (adapter, "vanished", G_CALLBACK (on_vanished), ev);
  g_signal_connect (adapter, "appeared", G_CALLBACK (on_appeared), ev);
}

static void
events_clear (Events *ev)
{
  g_clear_pointer (&ev->connected, g_ptr_array_unref);
  g_clear_pointer (&ev->disconnected, g_ptr_array_unref);
}

static gboolean
ptr_array_nonempty (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

static gboolean
uint_nonzero (gpointer data)
{
  return *(guint *) data != 0;
}

static gboolean
adapter_present (gpointer data)
{
  return gp_adapter_get_present (data);
}

static gboolean
device_has_address (gpointer data)
{
  return gp_device_get_address (data) != NULL;
}

static gboolean
device_connected (gpointer data)
{
  return gp_device_get_connected (data);
}

static GpDevice *
known_device (GpAdapter  *adapter,
              const char *path)
{
  g_autoptr(GList) devices = gp_adapter_get_devices (adapter);

  for (GList *l = devices; l != NULL; l = l->next)
    if (strcmp (gp_device_get_object_path (l->data), path) == 0)
      return l->data;
  return NULL;
}

/* ---------------------------------------------------------------- */

static void
test_find_and_properties (FakeFixture   *fx,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  GpDevice *device;

  g_assert_no_error (error);
  g_assert_cmpstr (gp_adapter_get_object_path (adapter), ==, "/org/bluez/hci0");
  g_assert_cmpstr (gp_adapter_get_interface_name (adapter), ==, "hci0");
  g_assert_true (gp_adapter_get_connection (adapter) == fx->conn);
  /* Everything is known when find_finish returns. */
  g_assert_true (gp_adapter_get_present (adapter));
  g_assert_cmpstr (gp_adapter_get_address (adapter), ==, "00:AA:01:00:00:00");
  g_assert_cmpstr (gp_adapter_get_system_name (adapter), ==, "fake-hci0");
  g_assert_cmpstr (gp_adapter_get_alias (adapter), ==, "fake-hci0");
  g_assert_true (gp_adapter_get_powered (adapter));
  g_assert_false (gp_adapter_get_discoverable (adapter));
  g_assert_cmpuint (gp_adapter_get_discoverable_timeout (adapter), ==, 180);
  g_assert_true (gp_adapter_get_pairable (adapter));
  g_assert_cmpuint (gp_adapter_get_pairable_timeout (adapter), ==, 0);

  device = known_device (adapter, fx->device);
  g_assert_nonnull (device);
  g_assert_cmpstr (gp_device_get_address (device), ==, "11:22:33:44:55:66");
  g_assert_cmpstr (gp_device_get_address_type (device), ==, "public");
  g_assert_cmpstr (gp_device_get_remote_name (device), ==, "central");
  g_assert_cmpstr (gp_device_get_alias (device), ==, "central");
  g_assert_cmpstr (gp_device_get_adapter_path (device), ==, "/org/bluez/hci0");
  g_assert_true (gp_device_get_connected (device));
  g_assert_false (gp_device_get_paired (device));
  g_assert_false (gp_device_get_bonded (device));
  g_assert_false (gp_device_get_trusted (device));
  g_assert_true (gp_device_get_connection (device) == fx->conn);
}

static void
test_new_for_path (FakeFixture   *fx,
                   gconstpointer  data)
{
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci0");
  g_autoptr(GpDevice) device = NULL;
  g_autoptr(GpDevice) again = NULL;

  /* Read in the background. */
  g_assert_false (gp_adapter_get_present (adapter));
  spin_until (adapter_present, adapter, 2000);
  g_assert_cmpstr (gp_adapter_get_address (adapter), ==, "00:AA:01:00:00:00");
  g_assert_nonnull (known_device (adapter, fx->device));

  /* One GpDevice per device. */
  device = gp_device_new_for_path (fx->conn, fx->device);
  g_assert_true (device == known_device (adapter, fx->device));
  again = gp_device_new_for_path (fx->conn, fx->device);
  g_assert_true (device == again);
}

static void
test_standalone_device (FakeFixture   *fx,
                        gconstpointer  data)
{
  g_autoptr(GpDevice) device = gp_device_new_for_path (fx->conn, fx->device);

  spin_until (device_has_address, device, 2000);
  g_assert_cmpstr (gp_device_get_address (device), ==, "11:22:33:44:55:66");
  g_assert_true (gp_device_get_connected (device));
}

static void
test_find_by_name (FakeFixture   *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) by_name = find (fx, "hci1", &error);
  g_autoptr(GpAdapter) by_address = find (fx, "00:aa:01:00:00:01", &error);
  g_autoptr(GpAdapter) by_path = find (fx, "/org/bluez/hci1", &error);
  g_autoptr(GpAdapter) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (gp_adapter_get_object_path (by_name), ==, "/org/bluez/hci1");
  g_assert_cmpstr (gp_adapter_get_object_path (by_address), ==, "/org/bluez/hci1");
  g_assert_cmpstr (gp_adapter_get_object_path (by_path), ==, "/org/bluez/hci1");
  g_assert_cmpstr (gp_adapter_get_address (by_name), ==, "00:AA:01:00:00:01");
  /* hci1 has no device: the fixture's central is on hci0. */
  {
    g_autoptr(GList) devices = gp_adapter_get_devices (by_name);
    g_assert_null (devices);
  }

  none = find (fx, "hci9", &error);
  g_assert_null (none);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_AVAILABLE);
  g_assert_nonnull (strstr (error->message, "hci9"));
}

static void
test_find_none_powered (FakeFixture   *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = NULL;

  fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", "Powered",
                           g_variant_new_boolean (FALSE));
  adapter = find (fx, NULL, &error);
  g_assert_null (adapter);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_READY);
  g_assert_nonnull (strstr (error->message, "power one on"));
}

static gboolean
notified (gpointer data)
{
  return *(guint *) data > 0;
}

static void
test_set_properties (FakeFixture   *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  GAsyncResult *result = NULL;
  guint n = 0;

#define WAIT_NOTIFY(prop) G_STMT_START {                                         \
    n = 0;                                                                      \
    gulong id = g_signal_connect_swapped (adapter, "notify::" prop,             \
                                          G_CALLBACK (g_atomic_int_inc), &n);  \
    spin_until (notified, &n, 2000);                                            \
    g_signal_handler_disconnect (adapter, id);                                  \
  } G_STMT_END

  gp_adapter_set_alias_async (adapter, "Heart Monitor", NULL, store_result, &result);
  g_assert_true (gp_adapter_set_alias_finish (adapter, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  if (g_strcmp0 (gp_adapter_get_alias (adapter), "Heart Monitor") != 0)
    WAIT_NOTIFY ("alias");
  g_assert_cmpstr (gp_adapter_get_alias (adapter), ==, "Heart Monitor");

  gp_adapter_set_discoverable_async (adapter, TRUE, NULL, store_result, &result);
  g_assert_true (gp_adapter_set_discoverable_finish (adapter, wait_for (&result), &error));
  g_clear_object (&result);
  if (!gp_adapter_get_discoverable (adapter))
    WAIT_NOTIFY ("discoverable");
  g_assert_true (gp_adapter_get_discoverable (adapter));

  gp_adapter_set_pairable_async (adapter, FALSE, NULL, store_result, &result);
  g_assert_true (gp_adapter_set_pairable_finish (adapter, wait_for (&result), &error));
  g_clear_object (&result);
  if (gp_adapter_get_pairable (adapter))
    WAIT_NOTIFY ("pairable");
  g_assert_false (gp_adapter_get_pairable (adapter));

  gp_adapter_set_powered_async (adapter, FALSE, NULL, store_result, &result);
  g_assert_true (gp_adapter_set_powered_finish (adapter, wait_for (&result), &error));
  g_clear_object (&result);
  if (gp_adapter_get_powered (adapter))
    WAIT_NOTIFY ("powered");
  g_assert_false (gp_adapter_get_powered (adapter));

  /* The GObject setters ask BlueZ; the value follows its answer. */
  g_object_set (adapter, "powered", TRUE, NULL);
  g_assert_false (gp_adapter_get_powered (adapter));
  WAIT_NOTIFY ("powered");
  g_assert_true (gp_adapter_get_powered (adapter));

  g_object_set (adapter, "discoverable-timeout", 30, NULL);
  WAIT_NOTIFY ("discoverable-timeout");
  g_assert_cmpuint (gp_adapter_get_discoverable_timeout (adapter), ==, 30);

  g_object_set (adapter, "pairable-timeout", 60, NULL);
  WAIT_NOTIFY ("pairable-timeout");
  g_assert_cmpuint (gp_adapter_get_pairable_timeout (adapter), ==, 60);

  g_object_set (adapter, "alias", "", NULL);
  WAIT_NOTIFY ("alias");
  g_assert_cmpstr (gp_adapter_get_alias (adapter), ==, "fake-hci0");

  g_object_set (adapter, "discoverable", FALSE, "pairable", TRUE, NULL);
  WAIT_NOTIFY ("pairable");
  g_assert_true (gp_adapter_get_pairable (adapter));
  g_assert_false (gp_adapter_get_discoverable (adapter));
#undef WAIT_NOTIFY
}

static void
test_set_error (FakeFixture   *fx,
                gconstpointer  data)
{
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci5");
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  gp_adapter_set_powered_async (adapter, TRUE, NULL, store_result, &result);
  g_assert_false (gp_adapter_set_powered_finish (adapter, wait_for (&result), &error));
  g_assert_nonnull (error);
  g_clear_object (&result);
}

static void
test_connections (FakeFixture   *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  g_autoptr(GVariant) reply = NULL;
  Events ev = { 0 };
  g_autofree char *path = NULL;
  GpDevice *device;

  events_connect (&ev, adapter);

  reply = fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "C0:11:22:33:44:55", "phone"),
                     "(o)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(o)", &path);
  spin_until (ptr_array_nonempty, ev.connected, 2000);
  device = g_ptr_array_index (ev.connected, 0);
  g_assert_cmpstr (gp_device_get_object_path (device), ==, path);
  g_assert_cmpstr (gp_device_get_address (device), ==, "C0:11:22:33:44:55");
  g_assert_cmpstr (gp_device_get_address_type (device), ==, "random");
  g_assert_cmpstr (gp_device_get_remote_name (device), ==, "phone");

  /* Disconnection, then reconnection of the same device object. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "SetDeviceProperty",
                     g_variant_new ("(osv)", path, "Connected", g_variant_new_boolean (FALSE)),
                     NULL, &error);
  g_assert_no_error (error);
  spin_until (ptr_array_nonempty, ev.disconnected, 2000);
  g_assert_true (g_ptr_array_index (ev.disconnected, 0) == device);
  g_assert_false (gp_device_get_connected (device));

  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "SetDeviceProperty",
                     g_variant_new ("(osv)", path, "Connected", g_variant_new_boolean (TRUE)),
                     NULL, &error);
  spin_until (device_connected, device, 2000);
  g_assert_cmpuint (ev.connected->len, ==, 2);
  g_assert_true (g_ptr_array_index (ev.connected, 1) == device);

  /* BlueZ removes a connected device: disconnected. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "RemoveDevice", g_variant_new ("(o)", path), NULL, &error);
  g_assert_no_error (error);
  while (ev.disconnected->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_ptr_array_index (ev.disconnected, 1) == device);
  spin_for (100);
  g_assert_null (known_device (adapter, path));
  g_assert_cmpuint (ev.disconnected->len, ==, 2);

  events_clear (&ev);
}

static void
test_device_properties (FakeFixture   *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  GpDevice *device = known_device (adapter, fx->device);
  GAsyncResult *result = NULL;
  const char *bools[] = { "Paired", "Bonded", "Trusted" };
  gboolean (*getters[]) (GpDevice *) = { gp_device_get_paired, gp_device_get_bonded, gp_device_get_trusted };

  for (guint i = 0; i < G_N_ELEMENTS (bools); i++)
    {
      g_autoptr(GVariant) reply =
        fake_call (fx, "SetDeviceProperty",
                   g_variant_new ("(osv)", fx->device, bools[i], g_variant_new_boolean (TRUE)),
                   NULL, &error);
      g_assert_no_error (error);
      while (!getters[i] (device))
        g_main_context_iteration (NULL, TRUE);
    }
  {
    g_autoptr(GVariant) reply =
      fake_call (fx, "SetDeviceProperty",
                 g_variant_new ("(osv)", fx->device, "Alias", g_variant_new_string ("Anna's phone")),
                 NULL, &error);
    g_assert_no_error (error);
    while (g_strcmp0 (gp_device_get_alias (device), "Anna's phone") != 0)
      g_main_context_iteration (NULL, TRUE);
  }

  gp_device_set_trusted_async (device, FALSE, NULL, store_result, &result);
  g_assert_true (gp_device_set_trusted_finish (device, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  while (gp_device_get_trusted (device))
    g_main_context_iteration (NULL, TRUE);

  gp_device_disconnect_async (device, NULL, store_result, &result);
  g_assert_true (gp_device_disconnect_finish (device, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  while (gp_device_get_connected (device))
    g_main_context_iteration (NULL, TRUE);

  {
    g_autoptr(GpDevice) keep = g_object_ref (device);

    gp_device_remove_async (keep, NULL, store_result, &result);
    g_assert_true (gp_device_remove_finish (keep, wait_for (&result), &error));
    g_assert_no_error (error);
    g_clear_object (&result);
    spin_for (100);
    g_assert_null (known_device (adapter, fx->device));

    gp_device_remove_async (keep, NULL, store_result, &result);
    g_assert_false (gp_device_remove_finish (keep, wait_for (&result), &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
    g_clear_error (&error);
    g_clear_object (&result);

    gp_device_disconnect_async (keep, NULL, store_result, &result);
    g_assert_false (gp_device_disconnect_finish (keep, wait_for (&result), &error));
    g_assert_nonnull (error);
    g_clear_object (&result);
  }
}

static void
test_hotplug (FakeFixture   *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  g_autoptr(GVariant) reply = NULL;
  Events ev = { 0 };

  events_connect (&ev, adapter);

  reply = fake_call (fx, "RemoveAdapter", g_variant_new ("(s)", "hci0"), NULL, &error);
  g_assert_no_error (error);
  spin_until (uint_nonzero, &ev.vanished, 2000);
  g_assert_false (gp_adapter_get_present (adapter));
  /* Its connected central went with it. */
  g_assert_cmpuint (ev.disconnected->len, ==, 1);
  {
    g_autoptr(GList) devices = gp_adapter_get_devices (adapter);
    g_assert_null (devices);
  }

  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "AddAdapter", g_variant_new ("(s)", "hci0"), NULL, &error);
  g_assert_no_error (error);
  spin_until (uint_nonzero, &ev.appeared, 2000);
  g_assert_true (gp_adapter_get_present (adapter));
  g_assert_cmpstr (gp_adapter_get_address (adapter), ==, "00:AA:01:00:00:00");

  /* bluetoothd restarts: gone, then back. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "Restart", NULL, NULL, &error);
  g_assert_no_error (error);
  while (ev.vanished < 2)
    g_main_context_iteration (NULL, TRUE);
  while (ev.appeared < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gp_adapter_get_present (adapter));
  g_assert_true (gp_adapter_get_powered (adapter));

  events_clear (&ev);
}

static gboolean
on_read (GpAttribute *attribute,
         GpRequest   *request,
         gpointer     user_data)
{
  GpDevice **out = user_data;
  g_autoptr(GBytes) value = g_bytes_new_static ("hi", 2);

  *out = g_object_ref (gp_request_get_device (request));
  g_assert_true (gp_request_get_device (request) == *out);   /* cached */
  gp_request_return_value (request, value);
  return TRUE;
}

static void
test_request_device (FakeFixture   *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->conn, "/test/app");
  g_autoptr(GpService) service = gp_service_new ("180d", TRUE, &error);
  g_autoptr(GpCharacteristic) chrc = gp_characteristic_new ("2a38", GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_autoptr(GpDevice) seen = NULL;

  g_assert_no_error (error);
  g_assert_true (gp_service_add_characteristic (service, chrc, &error));
  g_assert_true (gp_application_add_service (app, service, &error));
  g_signal_connect (chrc, "read-request", G_CALLBACK (on_read), &seen);
  fake_register (fx, app);

  g_assert_cmpuint (fake_read (fx, fake_handle_of (fx, GP_ATTRIBUTE (chrc)), 0, 0, NULL), ==, 0);
  g_assert_nonnull (seen);
  /* The same object the adapter hands out. */
  g_assert_true (seen == known_device (adapter, fx->device));
  g_assert_cmpstr (gp_device_get_address (seen), ==, "11:22:33:44:55:66");
}

static void
setup_reversed (FakeFixture   *fx,
                gconstpointer  data)
{
  static const char * const reversed[] = { "--adapters", "hci1,hci0", NULL };
  fake_fixture_setup_with_args (fx, reversed);
}

static void
default_found (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  *(GpAdapter **) data = gp_adapter_find_finish (result, NULL);
}

/* BlueZ lists adapters in no set order; the default is always the one
 * with the lowest index. */
static void
test_default_is_lowest_index (FakeFixture   *fx,
                              gconstpointer  data)
{
  GpAdapter *adapter = NULL;

  gp_adapter_find_async (fx->conn, NULL, NULL, default_found, &adapter);
  while (adapter == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gp_adapter_get_object_path (adapter), ==, "/org/bluez/hci0");
  g_object_unref (adapter);
}

/* ---------------------------------------------------------------- */
/* Following BlueZ: what the one object-following place must keep   */

typedef struct
{
  guint present;
  guint props[16];
  const char *names[16];
} Notified;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           Notified   *n)
{
  if (strcmp (pspec->name, "present") == 0)
    n->present++;
  for (guint i = 0; i < G_N_ELEMENTS (n->names); i++)
    if (n->names[i] == NULL || strcmp (n->names[i], pspec->name) == 0)
      {
        n->names[i] = g_intern_string (pspec->name);
        n->props[i]++;
        return;
      }
}

static guint
notified_count (Notified   *n,
                const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (n->names); i++)
    if (n->names[i] != NULL && strcmp (n->names[i], name) == 0)
      return n->props[i];
  return 0;
}

static guint
notified_total (Notified *n)
{
  guint total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (n->names); i++)
    total += n->props[i];
  return total;
}

/* A round trip to the fake, after which it has sent everything a call
 * before caused (one connection: messages stay in order). */
static void
fake_sync (FakeFixture *fx)
{
  (void) fake_stat (fx, "Restart");
}

/* bluetoothd restarts (a new unique name): :present goes FALSE then TRUE
 * once each, ::vanished and ::appeared once each, the connected central is
 * disconnected, and what the new bluetoothd says is followed. */
static void
test_restart_new_owner (FakeFixture   *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = NULL;
  Events ev = { 0 };
  Notified n = { 0 };

  g_assert_no_error (error);
  events_connect (&ev, adapter);
  g_signal_connect (adapter, "notify", G_CALLBACK (on_notify), &n);

  reply = fake_call (fx, "Restart", NULL, NULL, &error);
  g_assert_no_error (error);
  spin_until (uint_nonzero, &ev.appeared, 5000);
  fake_sync (fx);
  g_assert_cmpuint (ev.vanished, ==, 1);
  g_assert_cmpuint (ev.appeared, ==, 1);
  g_assert_cmpuint (n.present, ==, 2);
  g_assert_true (gp_adapter_get_present (adapter));
  g_assert_cmpuint (ev.disconnected->len, ==, 1);
  g_assert_cmpuint (ev.connected->len, ==, 0);
  {
    g_autoptr(GList) devices = gp_adapter_get_devices (adapter);
    g_assert_null (devices);   /* the new bluetoothd knows no device */
  }

  /* The new owner's PropertiesChanged and InterfacesAdded are followed. */
  fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", "Alias",
                           g_variant_new_string ("after restart"));
  while (g_strcmp0 (gp_adapter_get_alias (adapter), "after restart") != 0)
    g_main_context_iteration (NULL, TRUE);

  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "C0:11:22:33:44:55", "phone"),
                     "(o)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(o)", &path);
  spin_until (ptr_array_nonempty, ev.connected, 2000);
  g_assert_cmpstr (gp_device_get_object_path (g_ptr_array_index (ev.connected, 0)), ==, path);
  g_assert_true (known_device (adapter, path) == g_ptr_array_index (ev.connected, 0));

  events_clear (&ev);
}

/* The adapter is unplugged and comes back; a device that goes and comes
 * back is the same GpDevice, following BlueZ again. */
static void
test_readd_and_device_return (FakeFixture   *fx,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  g_autoptr(GpDevice) device = gp_device_new_for_path (fx->conn, fx->device);
  g_autoptr(GVariant) reply = NULL;
  Events ev = { 0 };
  Notified n = { 0 };

  g_assert_no_error (error);
  g_assert_true (device == known_device (adapter, fx->device));
  events_connect (&ev, adapter);
  g_signal_connect (adapter, "notify", G_CALLBACK (on_notify), &n);

  reply = fake_call (fx, "RemoveAdapter", g_variant_new ("(s)", "hci0"), NULL, &error);
  g_assert_no_error (error);
  spin_until (uint_nonzero, &ev.vanished, 2000);
  /* Gone, with its last properties, disconnected. */
  g_assert_false (gp_device_get_connected (device));
  g_assert_cmpstr (gp_device_get_address (device), ==, "11:22:33:44:55:66");
  g_assert_cmpstr (gp_adapter_get_address (adapter), ==, "00:AA:01:00:00:00");

  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "AddAdapter", g_variant_new ("(s)", "hci0"), NULL, &error);
  g_assert_no_error (error);
  spin_until (uint_nonzero, &ev.appeared, 2000);
  fake_sync (fx);
  g_assert_cmpuint (ev.vanished, ==, 1);
  g_assert_cmpuint (ev.appeared, ==, 1);
  g_assert_cmpuint (n.present, ==, 2);
  /* Same values again: nothing notified but :present. */
  g_assert_cmpuint (notified_total (&n), ==, 2);

  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "11:22:33:44:55:66", "central"),
                     "(o)", &error);
  g_assert_no_error (error);
  spin_until (ptr_array_nonempty, ev.connected, 2000);
  g_assert_true (g_ptr_array_index (ev.connected, 0) == device);
  g_assert_true (gp_device_get_connected (device));
  g_assert_true (known_device (adapter, fx->device) == device);

  events_clear (&ev);
}

/* Each PropertiesChanged notifies the properties it changed, once, and a
 * value BlueZ repeats notifies nothing. */
static void
test_properties_changed (FakeFixture   *fx,
                         gconstpointer  data)
{
  static const struct { const char *dbus, *prop; const char *type; } cases[] = {
    { "Alias", "alias", "s" }, { "Powered", "powered", "b" },
    { "Discoverable", "discoverable", "b" }, { "DiscoverableTimeout", "discoverable-timeout", "u" },
    { "Pairable", "pairable", "b" }, { "PairableTimeout", "pairable-timeout", "u" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  GpDevice *device = known_device (adapter, fx->device);
  Notified n = { 0 }, dn = { 0 };

  g_assert_no_error (error);
  g_signal_connect (adapter, "notify", G_CALLBACK (on_notify), &n);
  g_signal_connect (device, "notify", G_CALLBACK (on_notify), &dn);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GVariant *value = cases[i].type[0] == 's' ? g_variant_new_string ("changed")
                      : cases[i].type[0] == 'b' ? g_variant_new_boolean (strcmp (cases[i].dbus, "Powered") != 0 &&
                                                                          strcmp (cases[i].dbus, "Pairable") != 0)
                      : g_variant_new_uint32 (7);
      guint before = notified_total (&n);

      fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", cases[i].dbus, value);
      while (notified_count (&n, cases[i].prop) == 0)
        g_main_context_iteration (NULL, TRUE);
      fake_sync (fx);
      g_assert_cmpuint (notified_count (&n, cases[i].prop), ==, 1);
      g_assert_cmpuint (notified_total (&n), ==, before + 1);
    }
  g_assert_cmpstr (gp_adapter_get_alias (adapter), ==, "changed");
  g_assert_false (gp_adapter_get_powered (adapter));
  g_assert_true (gp_adapter_get_discoverable (adapter));
  g_assert_cmpuint (gp_adapter_get_discoverable_timeout (adapter), ==, 7);
  g_assert_false (gp_adapter_get_pairable (adapter));
  g_assert_cmpuint (gp_adapter_get_pairable_timeout (adapter), ==, 7);
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_UINT);
    g_object_get_property (G_OBJECT (adapter), "pairable-timeout", &v);
    g_assert_cmpuint (g_value_get_uint (&v), ==, 7);
  }

  /* BlueZ says the same value again: no notification. */
  fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", "PairableTimeout",
                           g_variant_new_uint32 (7));
  fake_sync (fx);
  spin_for (50);
  g_assert_cmpuint (notified_count (&n, "pairable-timeout"), ==, 1);

  /* A device's: its own notify, not the adapter's. */
  {
    g_autoptr(GVariant) reply =
      fake_call (fx, "SetDeviceProperty",
                 g_variant_new ("(osv)", fx->device, "Paired", g_variant_new_boolean (TRUE)), NULL, &error);
    g_assert_no_error (error);
    while (notified_count (&dn, "paired") == 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (notified_total (&dn), ==, 1);
    g_assert_true (gp_device_get_paired (device));
  }
}

/* BlueZ's objects are read once per connection and main context, however
 * many adapters and devices are made; and no more once they are all gone. */
static void
test_read_once (FakeFixture   *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GpAdapter *first = find (fx, NULL, &error);
  GpAdapter *second = find (fx, "hci0", &error);
  GpAdapter *by_path = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci0");
  GpDevice *device = gp_device_new_for_path (fx->conn, fx->device);

  g_assert_no_error (error);
  g_assert_true (gp_adapter_get_present (by_path));    /* known at once */
  g_assert_cmpstr (gp_device_get_address (device), ==, "11:22:33:44:55:66");
  g_assert_true (known_device (first, fx->device) == device);
  g_assert_true (known_device (second, fx->device) == device);
  g_assert_cmpuint (fake_stat (fx, "BluezGetManagedObjects"), ==, 1);

  g_object_unref (first);
  g_object_unref (second);
  g_object_unref (by_path);
  g_object_unref (device);
  first = find (fx, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fake_stat (fx, "BluezGetManagedObjects"), ==, 2);
  g_object_unref (first);
}

static void
test_find_no_bluez (FakeFixture   *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = NULL;

  g_subprocess_send_signal (fx->fake, SIGTERM);
  g_subprocess_wait (fx->fake, NULL, NULL);
  g_clear_object (&fx->fake);
  adapter = find (fx, NULL, &error);
  g_assert_null (adapter);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_READY);
  g_assert_nonnull (strstr (error->message, "not running"));
}

static void
test_find_cancelled (FakeFixture   *fx,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  /* While BlueZ's objects are being read (bluetoothd stopped: it owns
   * its name but does not answer), then once they are known. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GpAdapter) keep = i == 1 ? find (fx, NULL, NULL) : NULL;
      g_autoptr(GError) error = NULL;
      GAsyncResult *result = NULL;

      if (i == 0)
        fake_stop (fx);
      gp_adapter_find_async (fx->conn, NULL, cancellable, store_result, &result);
      g_cancellable_cancel (cancellable);
      g_assert_null (gp_adapter_find_finish (wait_for (&result), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_object_unref (result);
      g_cancellable_reset (cancellable);
      if (i == 0)
        fake_cont (fx);
    }
}

/* An adapter made in a thread under its own thread-default main context
 * gets its signals there, and one made in the main thread on the same
 * connection gets its own in the main context. */
typedef struct
{
  FakeFixture  *fx;
  GMainContext *context;
  GThread      *emitted_in;
  gint          ready;
  gint          done;
  gint          stop;
} ThreadData;

static void
thread_on_alias (GObject    *object,
                 GParamSpec *pspec,
                 ThreadData *td)
{
  g_assert_true (g_main_context_is_owner (td->context));
  td->emitted_in = g_thread_self ();
  g_atomic_int_set (&td->done, 1);
}

static void
thread_found (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GError) error = NULL;

  *(GpAdapter **) data = gp_adapter_find_finish (result, &error);
  g_assert_no_error (error);
}

static gpointer
adapter_thread (gpointer data)
{
  ThreadData *td = data;
  GpAdapter *adapter = NULL;

  g_main_context_push_thread_default (td->context);
  gp_adapter_find_async (td->fx->conn, NULL, NULL, thread_found, &adapter);
  while (adapter == NULL)
    g_main_context_iteration (td->context, TRUE);
  g_assert_true (gp_adapter_get_present (adapter));
  g_signal_connect (adapter, "notify::alias", G_CALLBACK (thread_on_alias), td);
  g_atomic_int_set (&td->ready, 1);
  g_main_context_wakeup (NULL);   /* the main thread waits in its context */
  while (!g_atomic_int_get (&td->stop))
    g_main_context_iteration (td->context, TRUE);
  g_object_unref (adapter);
  /* Let the client's last calls finish on this context. */
  while (g_main_context_iteration (td->context, FALSE))
    ;
  g_main_context_pop_thread_default (td->context);
  return NULL;
}

static gboolean
atomic_set (gpointer data)
{
  return g_atomic_int_get ((gint *) data) != 0;
}

static void
main_on_alias (GObject    *object,
               GParamSpec *pspec,
               GThread   **emitted_in)
{
  *emitted_in = g_thread_self ();
}

static void
test_thread_default_context (FakeFixture   *fx,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = find (fx, NULL, &error);
  ThreadData td = { fx, g_main_context_new (), NULL, 0, 0, 0 };
  GThread *main_emitted_in = NULL;
  GThread *thread;

  g_assert_no_error (error);
  g_signal_connect (adapter, "notify::alias", G_CALLBACK (main_on_alias), &main_emitted_in);
  thread = g_thread_new ("adapter", adapter_thread, &td);
  spin_until (atomic_set, &td.ready, 5000);

  fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", "Alias",
                           g_variant_new_string ("threads"));
  while (main_emitted_in == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (main_emitted_in == g_thread_self ());
  /* The thread's adapter heard it in the thread, from its own context. */
  while (!g_atomic_int_get (&td.done))
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (td.emitted_in == thread);

  g_atomic_int_set (&td.stop, 1);
  g_main_context_wakeup (td.context);
  g_thread_join (thread);
  g_main_context_unref (td.context);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/adapter/" name, FakeFixture, NULL, \
                                  fake_fixture_setup, fn, fake_fixture_teardown)
  ADD ("find-and-properties", test_find_and_properties);
  ADD ("new-for-path", test_new_for_path);
  ADD ("standalone-device", test_standalone_device);
  ADD ("find-none-powered", test_find_none_powered);
  ADD ("set-properties", test_set_properties);
  ADD ("set-error", test_set_error);
  ADD ("connections", test_connections);
  ADD ("device-properties", test_device_properties);
  ADD ("hotplug", test_hotplug);
  ADD ("request-device", test_request_device);
  ADD ("restart-new-owner", test_restart_new_owner);
  ADD ("readd-and-device-return", test_readd_and_device_return);
  ADD ("properties-changed", test_properties_changed);
  ADD ("read-once", test_read_once);
  ADD ("find-no-bluez", test_find_no_bluez);
  ADD ("find-cancelled", test_find_cancelled);
  ADD ("thread-default-context", test_thread_default_context);
  g_test_add ("/adapter/find-by-name", FakeFixture, NULL, setup_two, test_find_by_name,
              fake_fixture_teardown);
  g_test_add ("/adapter/default-is-lowest-index", FakeFixture, NULL, setup_reversed,
              test_default_is_lowest_index, fake_fixture_teardown);
#undef ADD

  return g_test_run ();
}
