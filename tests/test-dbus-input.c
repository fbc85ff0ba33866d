/* test-dbus-input.c: what the exported objects do with malformed or
 * unexpected D-Bus input from bluetoothd's own connection (which passes the
 * caller check): wrong argument types, odd options, offsets past the end,
 * unknown methods and properties. Here the test itself plays a minimal
 * bluetoothd that owns org.bluez, so it can send anything.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gattperiph.h>
#include "fake-fixture.h"
#include "gp-attribute-private.h"
#include "gp-dbus-util-private.h"

#include <string.h>

typedef struct
{
  GTestDBus        *bus;
  GDBusConnection  *app_conn;
  GDBusConnection  *bluez;        /* owns org.bluez */
  guint             manager_id;
  GVariant         *objects;      /* what GetManagedObjects returned */
  GpApplication    *app;
  GpCharacteristic *chrc;
  GpDescriptor     *desc;
  const char       *app_name;     /* the application's unique name */
} Fixture;

static void
got_objects (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GDBusMethodInvocation *invocation = user_data;
  Fixture *fx = g_object_get_data (G_OBJECT (invocation), "fixture");
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  g_clear_pointer (&fx->objects, g_variant_unref);
  fx->objects = g_variant_get_child_value (reply, 0);
  g_variant_unref (reply);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* GattManager1 as bluetoothd does it: read the tree, then answer. */
static void
manager_call (GDBusConnection       *connection,
              const char            *sender,
              const char            *object_path,
              const char            *interface_name,
              const char            *method_name,
              GVariant              *parameters,
              GDBusMethodInvocation *invocation,
              gpointer               user_data)
{
  Fixture *fx = user_data;
  const char *app_path;

  g_variant_get_child (parameters, 0, "&o", &app_path);
  if (strcmp (method_name, "RegisterApplication") == 0)
    {
      g_object_set_data (G_OBJECT (invocation), "fixture", fx);
      g_dbus_connection_call (connection, sender, app_path, "org.freedesktop.DBus.ObjectManager",
                              "GetManagedObjects", NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                              G_DBUS_CALL_FLAGS_NONE, -1, NULL, got_objects, invocation);
    }
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable manager_vtable = { manager_call, NULL, NULL, { 0 } };

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

static GDBusConnection *
connect_bus (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *c =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fx->bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  return c;
}

static void
setup (Fixture       *fx,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(GpService) service = NULL;
  g_autoptr(GpAdapter) adapter = NULL;
  GAsyncResult *result = NULL;

  fx->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  fake_test_dbus_up (fx->bus);
  fx->app_conn = connect_bus (fx);
  fx->bluez = connect_bus (fx);
  fx->app_name = g_dbus_connection_get_unique_name (fx->app_conn);

  owned = g_dbus_connection_call_sync (fx->bluez, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.bluez", 4), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  fx->manager_id = g_dbus_connection_register_object (fx->bluez, "/org/bluez/hci0",
                                                      GP_BLUEZ_INTERFACE_INFO (gatt_manager1),
                                                      &manager_vtable, fx, NULL, &error);
  g_assert_no_error (error);

  fx->app = gp_application_new_for_connection (fx->app_conn, "/t");
  service = gp_service_new ("180d", TRUE, &error);
  fx->chrc = gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE, &error);
  fx->desc = gp_descriptor_new ("2904", GP_DESCRIPTOR_FLAGS_READ, &error);
  g_assert_no_error (error);
  g_assert_true (gp_characteristic_add_descriptor (fx->chrc, fx->desc, &error));
  g_assert_true (gp_service_add_characteristic (service, fx->chrc, &error));
  g_assert_true (gp_application_add_service (fx->app, service, &error));
  g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (fx->chrc), (const guint8 *) "abcdef", 6, &error));

  adapter = gp_adapter_new_for_path (fx->app_conn, "/org/bluez/hci0");
  gp_application_register_async (fx->app, adapter, NULL, store_result, &result);
  g_assert_true (gp_application_register_finish (fx->app, wait_for (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static void
teardown (Fixture       *fx,
          gconstpointer  data)
{
  g_clear_object (&fx->chrc);
  g_clear_object (&fx->desc);
  g_clear_object (&fx->app);
  g_clear_pointer (&fx->objects, g_variant_unref);
  g_dbus_connection_unregister_object (fx->bluez, fx->manager_id);
  g_dbus_connection_close_sync (fx->bluez, NULL, NULL);
  g_dbus_connection_close_sync (fx->app_conn, NULL, NULL);
  g_clear_object (&fx->bluez);
  g_clear_object (&fx->app_conn);
  g_test_dbus_down (fx->bus);
  g_clear_object (&fx->bus);
}

/* Calls the application as bluetoothd, from fx->bluez. */
static GVariant *
call_app (Fixture     *fx,
          const char  *path,
          const char  *iface,
          const char  *method,
          GVariant    *parameters,
          GError     **error)
{
  GAsyncResult *result = NULL;
  GVariant *reply;

  g_dbus_connection_call (fx->bluez, fx->app_name, path, iface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, store_result, &result);
  reply = g_dbus_connection_call_finish (fx->bluez, wait_for (&result), error);
  g_object_unref (result);
  return reply;
}

static GVariant *
read_value (Fixture   *fx,
            GVariant  *options,
            GError   **error)
{
  return call_app (fx, gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc)),
                   "org.bluez.GattCharacteristic1", "ReadValue",
                   g_variant_new_tuple (&options, 1), error);
}

static void
test_read_options (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *path = gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc));

  /* Wrong argument type: GDBus checks it against the interface. */
  reply = call_app (fx, path, "org.bluez.GattCharacteristic1", "ReadValue",
                    g_variant_new ("(s)", "offset"), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* A known option with the wrong type: BlueZ's InvalidArguments. */
  reply = read_value (fx, g_variant_new_parsed ("{'offset': <'two'>}"), &error);
  g_assert_null (reply);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "offset"));
  g_clear_error (&error);
  reply = read_value (fx, g_variant_new_parsed ("{'offset': <uint32 2>}"), &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);
  reply = read_value (fx, g_variant_new_parsed ("{'device': <'not a path'>}"), &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);

  /* Unknown options are ignored (newer BlueZ versions add some). */
  reply = read_value (fx, g_variant_new_parsed ("{'future-option': <42>, 'offset': <uint16 2>, "
                                                "'mtu': <uint16 23>, 'link': <'LE'>}"), &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) ay = g_variant_get_child_value (reply, 0);
    gsize n;
    const guint8 *bytes = g_variant_get_fixed_array (ay, &n, 1);
    g_assert_cmpmem (bytes, n, "cdef", 4);
  }
  g_clear_pointer (&reply, g_variant_unref);

  /* Offsets: at the end is empty, past it is InvalidOffset. */
  reply = read_value (fx, g_variant_new_parsed ("{'offset': <uint16 6>}"), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = read_value (fx, g_variant_new_parsed ("{'offset': <uint16 65535>}"), &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_OFFSET);
  g_clear_error (&error);
}

static void
test_write_input (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *path = gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc));
  g_autofree guint8 *big = g_malloc0 (513);

  reply = call_app (fx, path, "org.bluez.GattCharacteristic1", "WriteValue",
                    g_variant_new_parsed ("(@ay [1, 2],)"), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  reply = call_app (fx, path, "org.bluez.GattCharacteristic1", "WriteValue",
                    g_variant_new_parsed ("(@ay [1, 2], {'offset': <uint16 1000>})"), &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_OFFSET);
  g_clear_error (&error);

  reply = call_app (fx, path, "org.bluez.GattCharacteristic1", "WriteValue",
                    g_variant_new ("(@ay@a{sv})",
                                   g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, big, 513, 1),
                                   g_variant_new_parsed ("@a{sv} {}")),
                    &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_clear_error (&error);
  g_assert_cmpuint (g_bytes_get_size (gp_attribute_get_value (GP_ATTRIBUTE (fx->chrc))), ==, 6);

  reply = call_app (fx, path, "org.bluez.GattCharacteristic1", "WriteValue",
                    g_variant_new_parsed ("(@ay [0x41, 0x42], {'type': <7>})"), &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);

  /* A value with zero bytes inside survives (ForceGVariant). */
  reply = call_app (fx, path, "org.bluez.GattCharacteristic1", "WriteValue",
                    g_variant_new_parsed ("(@ay [0x41, 0, 0x42], @a{sv} {})"), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (gp_attribute_get_value (GP_ATTRIBUTE (fx->chrc)), NULL), 3, "A\0B", 3);
}

static void
test_methods_and_properties (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *cpath = gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc));
  const char *dpath = gp_attribute_get_object_path (GP_ATTRIBUTE (fx->desc));

  reply = call_app (fx, cpath, "org.bluez.GattCharacteristic1", "Explode", NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_clear_error (&error);
  reply = call_app (fx, dpath, "org.bluez.GattDescriptor1", "StartNotify", NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_clear_error (&error);
  reply = call_app (fx, cpath, "org.bluez.GattDescriptor1", "ReadValue",
                    g_variant_new_parsed ("(@a{sv} {},)"), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_clear_error (&error);

  /* Properties: Get works, unknown ones and read-only ones refuse. */
  reply = call_app (fx, cpath, "org.freedesktop.DBus.Properties", "Get",
                    g_variant_new ("(ss)", "org.bluez.GattCharacteristic1", "UUID"), &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) v = NULL;
    g_variant_get (reply, "(v)", &v);
    g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "00002a37-0000-1000-8000-00805f9b34fb");
  }
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_app (fx, cpath, "org.freedesktop.DBus.Properties", "Get",
                    g_variant_new ("(ss)", "org.bluez.GattCharacteristic1", "Nope"), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  reply = call_app (fx, cpath, "org.freedesktop.DBus.Properties", "Set",
                    g_variant_new ("(ssv)", "org.bluez.GattCharacteristic1", "UUID",
                                   g_variant_new_string ("2a38")), &error);
  g_assert_nonnull (error);
  g_clear_error (&error);
  reply = call_app (fx, cpath, "org.freedesktop.DBus.Properties", "Set",
                    g_variant_new ("(ssv)", "org.bluez.GattCharacteristic1", "Handle",
                                   g_variant_new_string ("0x20")), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* bluetoothd writing back the handle it assigned. */
  reply = call_app (fx, cpath, "org.freedesktop.DBus.Properties", "Set",
                    g_variant_new ("(ssv)", "org.bluez.GattCharacteristic1", "Handle",
                                   g_variant_new_uint16 (0x2a)), &error);
  g_assert_no_error (error);
  g_assert_cmphex (gp_attribute_get_handle (GP_ATTRIBUTE (fx->chrc)), ==, 0x2a);
}

/* Values travel in ReadValue replies only, never as a property. */
static void
test_no_value_property (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *ifaces;
  guint attributes = 0;

  g_variant_iter_init (&iter, fx->objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &ifaces))
    {
      g_autoptr(GVariant) chrc = g_variant_lookup_value (ifaces, "org.bluez.GattCharacteristic1", NULL);
      g_autoptr(GVariant) desc = g_variant_lookup_value (ifaces, "org.bluez.GattDescriptor1", NULL);
      GVariant *props = chrc != NULL ? chrc : desc;

      if (props == NULL)
        continue;
      attributes++;
      g_assert_false (g_variant_lookup (props, "Value", "@ay", NULL));
      g_assert_true (g_variant_lookup (props, "UUID", "&s", NULL));
    }
  g_assert_cmpuint (attributes, ==, 2);

  reply = call_app (fx, gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc)),
                    "org.freedesktop.DBus.Properties", "Get",
                    g_variant_new ("(ss)", "org.bluez.GattCharacteristic1", "Value"), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* GetAll, which GDBus hands to the library's method handler. */
  reply = call_app (fx, gp_attribute_get_object_path (GP_ATTRIBUTE (fx->desc)),
                    "org.freedesktop.DBus.Properties", "GetAll",
                    g_variant_new ("(s)", "org.bluez.GattDescriptor1"), &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) all = g_variant_get_child_value (reply, 0);
    const char *characteristic = NULL;

    g_assert_true (g_variant_lookup (all, "Characteristic", "&o", &characteristic));
    g_assert_cmpstr (characteristic, ==, gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc)));
    g_assert_false (g_variant_lookup (all, "Value", "@ay", NULL));
  }
}

static gboolean
drop_request (GpAttribute *attr,
              GpRequest   *request,
              gpointer     data)
{
  return TRUE;  /* claims it, then never answers */
}

static void
test_dropped_request (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *name = NULL;

  g_signal_connect (fx->chrc, "read-request", G_CALLBACK (drop_request), NULL);
  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_WARNING, "*dropped without an answer*");
  reply = read_value (fx, g_variant_new_parsed ("@a{sv} {}"), &error);
  g_test_assert_expected_messages ();
  /* Failed with an empty message: ATT 0x0E (Unlikely Error). */
  g_assert_error (error, GP_ERROR, GP_ERROR_FAILED);
  name = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (name, ==, "org.bluez.Error.Failed");
}

static void
test_managed_objects_order (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->app_conn, "/order");
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->app_conn, "/org/bluez/hci0");
  g_autoptr(GString) order = g_string_new (NULL);
  GAsyncResult *result = NULL;
  const char *uuids[] = { "1810", "aaaa", "180f", "1811" };
  GVariantIter iter;
  const char *path;
  GVariant *ifaces;

  /* Enough objects that a hash table would not keep their order. */
  for (guint s = 0; s < 4; s++)
    {
      g_autoptr(GpService) svc = gp_service_new (uuids[s], TRUE, &error);
      g_assert_no_error (error);
      for (guint c = 0; c < 6; c++)
        {
          g_autofree char *uuid = g_strdup_printf ("%04x", 0x2b00 + s * 16 + c);
          g_autoptr(GpCharacteristic) chrc = gp_characteristic_new (uuid, GP_CHARACTERISTIC_FLAGS_READ, &error);
          g_autoptr(GpDescriptor) d = gp_descriptor_new_user_description (uuid, &error);
          g_assert_true (gp_characteristic_add_descriptor (chrc, d, &error));
          g_assert_true (gp_service_add_characteristic (svc, chrc, &error));
        }
      g_assert_true (gp_application_add_service (app, svc, &error));
    }
  g_clear_pointer (&fx->objects, g_variant_unref);
  gp_application_register_async (app, adapter, NULL, store_result, &result);
  g_assert_true (gp_application_register_finish (app, wait_for (&result), &error));
  g_object_unref (result);

  g_variant_iter_init (&iter, fx->objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &ifaces))
    g_string_append_printf (order, "%s ", path + strlen ("/order/"));
  g_assert_cmpstr (order->str, ==,
    "service0 service1 service2 service3 "
    "service0/char0 service0/char0/desc0 service0/char1 service0/char1/desc0 "
    "service0/char2 service0/char2/desc0 service0/char3 service0/char3/desc0 "
    "service0/char4 service0/char4/desc0 service0/char5 service0/char5/desc0 "
    "service1/char0 service1/char0/desc0 service1/char1 service1/char1/desc0 "
    "service1/char2 service1/char2/desc0 service1/char3 service1/char3/desc0 "
    "service1/char4 service1/char4/desc0 service1/char5 service1/char5/desc0 "
    "service2/char0 service2/char0/desc0 service2/char1 service2/char1/desc0 "
    "service2/char2 service2/char2/desc0 service2/char3 service2/char3/desc0 "
    "service2/char4 service2/char4/desc0 service2/char5 service2/char5/desc0 "
    "service3/char0 service3/char0/desc0 service3/char1 service3/char1/desc0 "
    "service3/char2 service3/char2/desc0 service3/char3 service3/char3/desc0 "
    "service3/char4 service3/char4/desc0 service3/char5 service3/char5/desc0 ");
}

static void
test_after_unregister (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = g_strdup (gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc)));
  GAsyncResult *result = NULL;

  gp_application_unregister_async (fx->app, NULL, store_result, &result);
  g_assert_true (gp_application_unregister_finish (fx->app, wait_for (&result), &error));
  g_object_unref (result);
  g_assert_null (gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc)));

  reply = call_app (fx, path, "org.bluez.GattCharacteristic1", "ReadValue",
                    g_variant_new_parsed ("(@a{sv} {},)"), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
}

typedef struct
{
  Fixture *fx;
  char    *path;
  GError  *error;
  GBytes  *value;
} ThreadRead;

static gpointer
read_in_thread (gpointer data)
{
  ThreadRead *t = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GVariant) reply = NULL;

  g_main_context_push_thread_default (context);
  reply = g_dbus_connection_call_sync (t->fx->bluez, t->fx->app_name, t->path,
                                       "org.bluez.GattCharacteristic1", "ReadValue",
                                       g_variant_new_parsed ("({'offset': <uint16 1>},)"),
                                       G_VARIANT_TYPE ("(ay)"), G_DBUS_CALL_FLAGS_NONE,
                                       2000, NULL, &t->error);
  if (reply != NULL)
    {
      g_autoptr(GVariant) ay = g_variant_get_child_value (reply, 0);
      t->value = g_variant_get_data_as_bytes (ay);
    }
  g_main_context_pop_thread_default (context);
  return NULL;
}

static gboolean
count_read (GpAttribute *attr,
            GpRequest   *request,
            gpointer     data)
{
  (*(guint *) data)++;
  return FALSE;  /* let the default answer */
}

static gboolean
thread_done (gpointer data)
{
  ThreadRead *t = data;
  return t->value != NULL || t->error != NULL;
}

static void
test_reads_off_main_loop (Fixture       *fx,
                          gconstpointer  data)
{
  ThreadRead t = { fx, g_strdup (gp_attribute_get_object_path (GP_ATTRIBUTE (fx->chrc))), NULL, NULL };
  GThread *thread;
  guint handled = 0;

  /* No handler: GDBus's I/O thread answers while the main thread is
   * blocked right here, not running its loop. */
  thread = g_thread_new ("reader", read_in_thread, &t);
  g_thread_join (thread);
  g_assert_no_error (t.error);
  g_assert_cmpmem (g_bytes_get_data (t.value, NULL), g_bytes_get_size (t.value), "bcdef", 5);
  g_clear_pointer (&t.value, g_bytes_unref);

  /* With a handler the read goes through the main loop, which must run. */
  g_signal_connect (fx->chrc, "read-request", G_CALLBACK (count_read), &handled);
  thread = g_thread_new ("reader", read_in_thread, &t);
  while (!thread_done (&t))
    g_main_context_iteration (NULL, FALSE);
  g_thread_join (thread);
  g_assert_no_error (t.error);
  g_assert_cmpuint (handled, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (t.value, NULL), g_bytes_get_size (t.value), "bcdef", 5);
  g_clear_pointer (&t.value, g_bytes_unref);
  g_free (t.path);
}

typedef struct
{
  Fixture *fx;
  char    *path;
  gint     stop;       /* atomic */
  gint     answered;   /* atomic */
} Hammer;

static gpointer
hammer_reads (gpointer data)
{
  Hammer *h = data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  while (!g_atomic_int_get (&h->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (h->fx->bluez, h->fx->app_name, h->path,
                                     "org.bluez.GattCharacteristic1", "ReadValue",
                                     g_variant_new_parsed ("(@a{sv} {},)"), NULL,
                                     G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
      if (reply != NULL)
        g_atomic_int_inc (&h->answered);
    }
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
note_thread (gpointer  data,
             GObject  *where_the_object_was)
{
  *(GThread **) data = g_thread_self ();
}

/* Reads answered on GDBus's I/O thread must not hold the last reference
 * to an attribute: when the application goes away while centrals read,
 * the attribute is finalized on the main thread, whatever the timing. */
static void
test_lifetime_under_reads (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->app_conn, "/org/bluez/hci0");
  GThread *main_thread = g_thread_self ();

  for (guint round = 0; round < 120; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *app_path = g_strdup_printf ("/life%u", round);
      GpApplication *app = gp_application_new_for_connection (fx->app_conn, app_path);
      GpService *service = gp_service_new ("180d", TRUE, &error);
      GpCharacteristic *chrc = gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ, &error);
      GThread *finalized_in = NULL;
      Hammer h = { fx, NULL, 0, 0 };
      GThread *threads[4];
      GAsyncResult *result = NULL;

      g_assert_no_error (error);
      g_assert_true (gp_service_add_characteristic (service, chrc, &error));
      g_assert_true (gp_application_add_service (app, service, &error));
      g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (chrc), (const guint8 *) "x", 1, &error));
      gp_application_register_async (app, adapter, NULL, store_result, &result);
      g_assert_true (gp_application_register_finish (app, wait_for (&result), &error));
      g_clear_object (&result);
      h.path = g_strdup (gp_attribute_get_object_path (GP_ATTRIBUTE (chrc)));

      /* The application holds the only references. */
      g_object_weak_ref (G_OBJECT (chrc), note_thread, &finalized_in);
      g_object_unref (chrc);
      g_object_unref (service);

      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        threads[i] = g_thread_new ("reader", hammer_reads, &h);
      while (g_atomic_int_get (&h.answered) < 10)
        g_main_context_iteration (NULL, FALSE);

      g_object_unref (app);
      while (finalized_in == NULL)
        g_main_context_iteration (NULL, TRUE);

      g_atomic_int_set (&h.stop, 1);
      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        g_thread_join (threads[i]);
      g_free (h.path);
      g_assert_true (finalized_in == main_thread);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, Fixture, NULL, setup, fn, teardown)
  ADD ("/dbus-input/read-options", test_read_options);
  ADD ("/dbus-input/write", test_write_input);
  ADD ("/dbus-input/methods-and-properties", test_methods_and_properties);
  ADD ("/dbus-input/dropped-request", test_dropped_request);
  ADD ("/dbus-input/managed-objects-order", test_managed_objects_order);
  ADD ("/dbus-input/after-unregister", test_after_unregister);
  ADD ("/dbus-input/reads-off-main-loop", test_reads_off_main_loop);
  ADD ("/dbus-input/lifetime-under-reads", test_lifetime_under_reads);
  ADD ("/dbus-input/no-value-property", test_no_value_property);
#undef ADD

  return g_test_run ();
}
