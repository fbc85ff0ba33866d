/* test-export.c: the exported GATT tree against the fake BlueZ: who may
 * call it, the order of answers, and handles across registrations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-attribute-private.h"
#include "gp-dbus-util-private.h"
#include "gp-service-private.h"

#include <string.h>

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GVariant *
call_on (GDBusConnection  *connection,
         const char       *destination,
         const char       *path,
         const char       *interface,
         const char       *method,
         GVariant         *parameters,
         GError          **error)
{
  GAsyncResult *result = NULL;
  GVariant *reply;

  g_dbus_connection_call (connection, destination, path, interface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = g_dbus_connection_call_finish (connection, result, error);
  g_object_unref (result);
  return reply;
}

/* A value of type @signature, not empty where it can help it. */
static GVariant *
some_value (const char *signature)
{
  if (strcmp (signature, "ay") == 0)
    return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "X", 1, 1);
  switch (signature[0])
    {
    case 'a':
      return g_variant_new_array (G_VARIANT_TYPE (signature + 1), NULL, 0);
    case 'b':
      return g_variant_new_boolean (TRUE);
    case 'q':
      return g_variant_new_uint16 (0x42);
    case 's':
      return g_variant_new_string ("2a38");
    case 'o':
      return g_variant_new_object_path ("/");
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static GVariant *
some_arguments (GDBusMethodInfo *method)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  for (guint i = 0; method->in_args != NULL && method->in_args[i] != NULL; i++)
    g_ptr_array_add (args, some_value (method->in_args[i]->signature));
  return g_variant_new_tuple ((GVariant **) args->pdata, args->len);
}

static guint refused;

static void
assert_refused (GVariant   *reply,
                GError     *error,
                const char *path,
                const char *what)
{
  g_autofree char *name = NULL;

  if (reply != NULL)
    g_error ("%s on %s answered a stranger: %s", what, path, g_variant_print (reply, TRUE));
  name = g_dbus_error_get_remote_error (error);
  if (g_strcmp0 (name, "org.bluez.Error.NotPermitted") != 0)
    g_error ("%s on %s: %s (%s), not NotPermitted", what, path, error->message, name);
  refused++;
}

/* Every method and every property of one interface, called by @stranger. */
static void
call_everything (GDBusConnection    *stranger,
                 const char         *app_name,
                 const char         *path,
                 GDBusInterfaceInfo *info)
{
  for (guint i = 0; info->methods != NULL && info->methods[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = call_on (stranger, app_name, path, info->name, info->methods[i]->name,
                                           some_arguments (info->methods[i]), &error);
      assert_refused (reply, error, path, info->methods[i]->name);
    }
  for (guint i = 0; info->properties != NULL && info->properties[i] != NULL; i++)
    {
      GDBusPropertyInfo *prop = info->properties[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) set_error = NULL;
      g_autoptr(GVariant) reply = call_on (stranger, app_name, path, "org.freedesktop.DBus.Properties", "Get",
                                           g_variant_new ("(ss)", info->name, prop->name), &error);
      g_autoptr(GVariant) set_reply = NULL;

      assert_refused (reply, error, path, prop->name);
      set_reply = call_on (stranger, app_name, path, "org.freedesktop.DBus.Properties", "Set",
                           g_variant_new ("(ssv)", info->name, prop->name, some_value (prop->signature)),
                           &set_error);
      assert_refused (set_reply, set_error, path, prop->name);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = call_on (stranger, app_name, path, "org.freedesktop.DBus.Properties", "GetAll",
                                         g_variant_new ("(s)", info->name), &error);
    assert_refused (reply, error, path, "GetAll");
  }
}

static gboolean
count_request (GpAttribute *attr,
               GpRequest   *request,
               gpointer     data)
{
  (*(guint *) data)++;
  return FALSE;
}

static void
test_only_bluez (FakeFixture   *fx,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->conn, "/secret");
  g_autoptr(GpService) service = gp_service_new ("180d", TRUE, &error);
  g_autoptr(GpCharacteristic) chrc =
    gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_READ |
                                   GP_CHARACTERISTIC_FLAGS_WRITE | GP_CHARACTERISTIC_FLAGS_NOTIFY |
                                   GP_CHARACTERISTIC_FLAGS_AUTHORIZE, &error);
  g_autoptr(GpDescriptor) desc = gp_descriptor_new ("2904", GP_DESCRIPTOR_FLAGS_SECURE_READ, &error);
  g_autoptr(GDBusConnection) stranger = NULL;
  g_autoptr(GBytes) secret = bytes_from_string ("PIN 1234");
  g_autoptr(GVariant) entry = NULL;
  const char *app_name = g_dbus_connection_get_unique_name (fx->conn);
  GpAttribute *attrs[] = { GP_ATTRIBUTE (chrc), GP_ATTRIBUTE (desc) };
  guint requests = 0, handles[2];

  g_assert_no_error (error);
  g_assert_true (gp_characteristic_add_descriptor (chrc, desc, &error));
  g_assert_true (gp_service_add_characteristic (service, chrc, &error));
  g_assert_true (gp_application_add_service (app, service, &error));
  g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (chrc), secret, &error));
  g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (desc), secret, &error));
  fake_register (fx, app);
  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      g_signal_connect (attrs[i], "read-request", G_CALLBACK (count_request), &requests);
      g_signal_connect (attrs[i], "write-request", G_CALLBACK (count_request), &requests);
      handles[i] = gp_attribute_get_handle (attrs[i]);
      g_assert_cmpuint (handles[i], !=, 0);
    }

  stranger = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fx->bus),
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);

  refused = 0;
  call_everything (stranger, app_name, "/secret", GP_BLUEZ_INTERFACE_INFO (object_manager));
  call_everything (stranger, app_name, gp_service_get_object_path (service),
                   GP_BLUEZ_INTERFACE_INFO (gatt_service1));
  call_everything (stranger, app_name, gp_attribute_get_object_path (GP_ATTRIBUTE (chrc)),
                   GP_BLUEZ_INTERFACE_INFO (gatt_characteristic1));
  call_everything (stranger, app_name, gp_attribute_get_object_path (GP_ATTRIBUTE (desc)),
                   GP_BLUEZ_INTERFACE_INFO (gatt_descriptor1));
  /* GetManagedObjects + GetAll; 4 + 2 × 4; 7 + 2 × 8 + 1; 2 + 2 × 5 + 1 */
  g_assert_cmpuint (refused, ==, 2 + 9 + 24 + 13);

  /* Nothing changed, nothing ran. */
  g_assert_cmpuint (requests, ==, 0);
  g_assert_false (gp_characteristic_get_notifying (chrc));
  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      g_assert_true (g_bytes_equal (gp_attribute_get_value (attrs[i]), secret));
      g_assert_cmpuint (gp_attribute_get_handle (attrs[i]), ==, handles[i]);
    }
  g_assert_true (gp_application_get_registered (app));

  /* BlueZ itself still gets through, for a central its ATT checks pass. */
  {
    g_autoptr(GBytes) value = NULL;
    g_autoptr(GVariant) done = fake_call (fx, "SetDeviceProperty",
                                          g_variant_new ("(osv)", fx->device, "Security",
                                                         g_variant_new_byte (4)),
                                          NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (fake_read (fx, handles[0], 0, 0, &value), ==, 0);
    g_assert_true (g_bytes_equal (value, secret));
    g_assert_cmpuint (requests, ==, 1);
  }

  g_dbus_connection_close_sync (stranger, NULL, NULL);
  fake_unregister (fx, app);
}

/* ------------------------------------------------------------------ */

typedef struct
{
  FakeFixture      *fx;
  GpApplication    *app;
  GpCharacteristic *chrc;
} Tree;

static void
tree_init (Tree                  *tree,
           FakeFixture           *fx,
           GpCharacteristicFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpService) service = gp_service_new ("180d", TRUE, &error);

  tree->fx = fx;
  tree->app = gp_application_new_for_connection (fx->conn, "/order");
  tree->chrc = gp_characteristic_new ("2a39", flags, &error);
  g_assert_no_error (error);
  g_assert_true (gp_service_add_characteristic (service, tree->chrc, &error));
  g_assert_true (gp_application_add_service (tree->app, service, &error));
  fake_register (fx, tree->app);
}

static void
tree_clear (Tree *tree)
{
  fake_unregister (tree->fx, tree->app);
  g_clear_object (&tree->chrc);
  g_clear_object (&tree->app);
}

static GBytes *
write_then_read (FakeFixture *fx,
                 guint16      handle,
                 GBytes      *value,
                 const char  *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    fake_call (fx, "WriteThenRead",
               g_variant_new ("(oq@ays)", fx->device, handle,
                              g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, value, TRUE), kind),
               "(yyay)", &error);
  g_autoptr(GVariant) read = NULL;
  guint8 write_error, read_error;

  g_assert_no_error (error);
  g_variant_get (reply, "(yy@ay)", &write_error, &read_error, &read);
  g_assert_cmpuint (write_error, ==, 0);
  g_assert_cmpuint (read_error, ==, 0);
  return g_variant_get_data_as_bytes (read);
}

/* A central writes and reads back at once: bluetoothd acknowledges a Write
 * Command, and any write to a write-without-response characteristic,
 * before the application answered, so the read can overtake the write
 * unless the library keeps them in order. */
static void
test_read_after_write (FakeFixture   *fx,
                       gconstpointer  data)
{
  Tree tree;
  const char * const kinds[] = { "command", "request" };
  guint16 handle;
  guint stale = 0;

  tree_init (&tree, fx, GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (tree.chrc));

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *text = g_strdup_printf ("value %u", i);
      g_autoptr(GBytes) written = bytes_from_string (text);
      g_autoptr(GBytes) read = write_then_read (fx, handle, written, kinds[i % 2]);

      if (!g_bytes_equal (read, written))
        stale++;
      g_assert_true (g_bytes_equal (gp_attribute_get_value (GP_ATTRIBUTE (tree.chrc)), written));
    }
  g_assert_cmpuint (stale, ==, 0);
  tree_clear (&tree);
}

static gboolean
defer_write (GpAttribute *attr,
             GpRequest   *request,
             gpointer     data)
{
  g_set_object ((GpRequest **) data, request);
  return TRUE;
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

typedef struct
{
  FakeFixture *fx;
  guint64      count;
} StatWait;

static gboolean
read_value_sent (gpointer data)
{
  StatWait *w = data;
  return fake_stat (w->fx, "ReadValue") > w->count;
}

static void
control_call (FakeFixture   *fx,
              const char    *method,
              GVariant      *parameters,
              const char    *reply_type,
              GAsyncResult **result)
{
  g_dbus_connection_call (fx->conn, "org.bluez", "/org/gattperiph/FakeBlueZ", "org.gattperiph.FakeBlueZ1",
                          method, parameters, G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE,
                          30000, NULL, store_result, result);
}

/* A read of the stored value waits for the answer to a write the
 * application deferred. */
static void
test_read_waits_for_deferred_write (FakeFixture   *fx,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpRequest) request = NULL;
  g_autoptr(GBytes) old_value = bytes_from_string ("old");
  g_autoptr(GBytes) new_value = bytes_from_string ("new");
  g_autoptr(GVariant) write_reply = NULL;
  g_autoptr(GVariant) read_reply = NULL;
  g_autoptr(GVariant) read = NULL;
  GAsyncResult *write_result = NULL, *read_result = NULL;
  StatWait wait = { fx, 0 };
  guint8 att;
  Tree tree;

  tree_init (&tree, fx, GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE);
  g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (tree.chrc), old_value, &error));
  g_signal_connect (tree.chrc, "write-request", G_CALLBACK (defer_write), &request);

  control_call (fx, "Write",
                g_variant_new ("(oqq@ays)", fx->device, fake_handle_of (fx, GP_ATTRIBUTE (tree.chrc)), 0,
                               g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, new_value, TRUE),
                               "request"),
                "(y)", &write_result);
  spin_until (is_set, &request, 5000);

  /* The central reads while the write is pending. Once the fake has sent
   * ReadValue, the application has received it (one sender, in order). */
  wait.count = fake_stat (fx, "ReadValue");
  control_call (fx, "Read",
                g_variant_new ("(oqqq)", fx->device, fake_handle_of (fx, GP_ATTRIBUTE (tree.chrc)), 0, 0),
                "(yay)", &read_result);
  spin_until (read_value_sent, &wait, 5000);

  g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (tree.chrc), gp_request_get_value (request), &error));
  gp_request_return_success (request);

  spin_until (is_set, &read_result, 5000);
  read_reply = g_dbus_connection_call_finish (fx->conn, read_result, &error);
  g_assert_no_error (error);
  g_variant_get (read_reply, "(y@ay)", &att, &read);
  g_assert_cmpuint (att, ==, 0);
  g_assert_cmpmem (g_variant_get_data (read), g_variant_get_size (read), "new", 3);

  spin_until (is_set, &write_result, 5000);
  write_reply = g_dbus_connection_call_finish (fx->conn, write_result, &error);
  g_assert_no_error (error);
  g_object_unref (read_result);
  g_object_unref (write_result);
  tree_clear (&tree);
}

/* ------------------------------------------------------------------ */

static void
assert_handles_match_fake (FakeFixture *fx,
                           GpService   *service)
{
  g_autoptr(GList) chrcs = gp_service_get_characteristics (service);

  for (GList *c = chrcs; c != NULL; c = c->next)
    g_assert_cmpuint (gp_attribute_get_handle (c->data), ==, fake_handle_of (fx, c->data));
}

/* Handles BlueZ assigned are not asked for again: after "unregister, add
 * a characteristic, register again" the first service needs more handles,
 * and asking for the second service's old handle would overlap it. */
static void
test_reregister_handles (FakeFixture   *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->conn, "/handles");
  g_autoptr(GpService) first = gp_service_new ("180d", TRUE, &error);
  g_autoptr(GpService) second = gp_service_new ("180f", TRUE, &error);
  g_autoptr(GpService) pinned = gp_service_new ("1810", TRUE, &error);
  g_autoptr(GpCharacteristic) a = gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_autoptr(GpCharacteristic) b = gp_characteristic_new ("2a19", GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_autoptr(GpCharacteristic) c = gp_characteristic_new ("2a38", GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_autoptr(GpCharacteristic) p = gp_characteristic_new ("2a35", GP_CHARACTERISTIC_FLAGS_READ, &error);
  guint first_handle;

  g_assert_no_error (error);
  g_assert_true (gp_service_add_characteristic (first, a, &error));
  g_assert_true (gp_service_add_characteristic (second, b, &error));
  g_assert_true (gp_service_add_characteristic (pinned, p, &error));
  /* A requested handle stays requested. */
  g_assert_true (gp_service_set_handle (pinned, 0x0200, &error));
  g_assert_true (gp_attribute_set_handle (GP_ATTRIBUTE (p), 0x0202, &error));
  g_assert_true (gp_application_add_service (app, first, &error));
  g_assert_true (gp_application_add_service (app, second, &error));
  g_assert_true (gp_application_add_service (app, pinned, &error));

  fake_register (fx, app);
  first_handle = gp_service_get_handle (first);
  g_assert_cmpuint (first_handle, !=, 0);
  g_assert_cmpuint (gp_service_get_handle (second), >, first_handle);
  g_assert_cmpuint (gp_service_get_handle (pinned), ==, 0x0200);
  assert_handles_match_fake (fx, first);
  assert_handles_match_fake (fx, second);
  assert_handles_match_fake (fx, pinned);
  fake_unregister (fx, app);

  /* Assigned handles are gone with the registration; requested ones stay. */
  g_assert_cmpuint (gp_service_get_handle (first), ==, 0);
  g_assert_cmpuint (gp_attribute_get_handle (GP_ATTRIBUTE (a)), ==, 0);
  g_assert_cmpuint (gp_service_get_handle (pinned), ==, 0x0200);
  g_assert_cmpuint (gp_attribute_get_handle (GP_ATTRIBUTE (p)), ==, 0x0202);

  g_assert_true (gp_service_add_characteristic (first, c, &error));
  fake_register (fx, app);
  /* BlueZ never hands out a handle twice. */
  g_assert_cmpuint (gp_service_get_handle (first), >, first_handle);
  g_assert_cmpuint (gp_service_get_handle (pinned), ==, 0x0200);
  g_assert_cmpuint (gp_attribute_get_handle (GP_ATTRIBUTE (p)), ==, 0x0202);
  assert_handles_match_fake (fx, first);
  assert_handles_match_fake (fx, second);
  assert_handles_match_fake (fx, pinned);
  fake_unregister (fx, app);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, FakeFixture, NULL, fake_fixture_setup, fn, fake_fixture_teardown)
  ADD ("/export/only-bluez", test_only_bluez);
  ADD ("/export/read-after-write", test_read_after_write);
  ADD ("/export/read-waits-for-deferred-write", test_read_waits_for_deferred_write);
  ADD ("/export/reregister-handles", test_reregister_handles);
#undef ADD

  return g_test_run ();
}
