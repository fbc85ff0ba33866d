/* test-api.c: the shape of the public API (properties that mirror the
 * getters, names bindings can call)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gattperiph.h"
#include "gp-request-private.h"

static void
test_request_properties (void)
{
  g_autoptr(GpCharacteristic) chrc =
    gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_WRITE, NULL);
  g_autoptr(GBytes) written = g_bytes_new_static ("\x01\x02", 2);
  GpRequestOptions options = {
    .offset = 4,
    .mtu = 185,
    .device = "/org/bluez/hci0/dev_11_22_33_44_55_66",
    .link = GP_LINK_TYPE_LE,
    .prepare_authorize = TRUE,
    .write_type = GP_WRITE_TYPE_REQUEST,
  };
  g_autoptr(GpRequest) request =
    gp_request_new (GP_ATTRIBUTE (chrc), GP_REQUEST_KIND_WRITE, NULL, &options, written);
  g_autoptr(GpAttribute) attribute = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autofree char *device_path = NULL;
  g_autoptr(GpDevice) device = NULL;
  GpRequestKind kind = GP_REQUEST_KIND_READ;
  GpLinkType link = GP_LINK_TYPE_UNKNOWN;
  GpWriteType write_type = GP_WRITE_TYPE_UNKNOWN;
  guint offset = 0, mtu = 0;
  gboolean prepare_authorize = FALSE, answered = FALSE;

  g_object_get (request,
                "attribute", &attribute,
                "kind", &kind,
                "offset", &offset,
                "mtu", &mtu,
                "device-path", &device_path,
                "device", &device,
                "link", &link,
                "value", &value,
                "write-type", &write_type,
                "prepare-authorize", &prepare_authorize,
                "answered", &answered,
                NULL);
  g_assert_true (attribute == GP_ATTRIBUTE (chrc));
  g_assert_cmpint (kind, ==, GP_REQUEST_KIND_WRITE);
  g_assert_cmpuint (offset, ==, 4);
  g_assert_cmpuint (mtu, ==, 185);
  g_assert_cmpstr (device_path, ==, options.device);
  /* Not in an application: no connection to make a device on. */
  g_assert_null (device);
  g_assert_cmpint (link, ==, GP_LINK_TYPE_LE);
  g_assert_true (value == written);
  g_assert_cmpint (write_type, ==, GP_WRITE_TYPE_REQUEST);
  g_assert_true (prepare_authorize);
  /* No invocation: as good as answered. */
  g_assert_true (answered);
  g_assert_cmpint (answered, ==, gp_request_get_answered (request));

  /* Every property is read-only. */
  {
    guint n_props = 0;
    g_autofree GParamSpec **pspecs =
      g_object_class_list_properties (G_OBJECT_GET_CLASS (request), &n_props);

    g_assert_cmpuint (n_props, ==, 11);
    for (guint i = 0; i < n_props; i++)
      {
        g_test_message ("property %s", pspecs[i]->name);
        g_assert_true (pspecs[i]->flags & G_PARAM_READABLE);
        g_assert_false (pspecs[i]->flags & G_PARAM_WRITABLE);
      }
  }
}

static void
test_pairing_request_properties (void)
{
  const char * const names[] = { "kind", "device", "passkey", "pin-code", "uuid",
                                 "answered", "cancelled" };
  g_autoptr(GTypeClass) klass = g_type_class_ref (GP_TYPE_PAIRING_REQUEST);
  g_autoptr(GTypeClass) agent_class = g_type_class_ref (GP_TYPE_AGENT);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), names[i]);

      g_test_message ("property %s", names[i]);
      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
    }
  /* The GLib spelling only. */
  g_assert_null (g_object_class_find_property (G_OBJECT_CLASS (klass), "canceled"));
  g_assert_cmpuint (g_signal_lookup ("cancelled", GP_TYPE_AGENT), !=, 0);
  g_assert_cmpuint (g_signal_lookup ("canceled", GP_TYPE_AGENT), ==, 0);
}

/* Every handle-* signal (and read-request/write-request, which handle a
 * request too) has gdbus-codegen's shape. */
static void
test_handler_signals (void)
{
  const GType types[] = { GP_TYPE_AGENT, GP_TYPE_ATTRIBUTE, GP_TYPE_CHARACTERISTIC,
                          GP_TYPE_DESCRIPTOR, GP_TYPE_SERVICE, GP_TYPE_APPLICATION,
                          GP_TYPE_ADVERTISEMENT, GP_TYPE_ADAPTER, GP_TYPE_DEVICE,
                          GP_TYPE_REQUEST, GP_TYPE_PAIRING_REQUEST };
  guint n_checked = 0;

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      g_autoptr(GTypeClass) klass = g_type_class_ref (types[t]);
      guint n_ids = 0;
      g_autofree guint *ids = g_signal_list_ids (types[t], &n_ids);

      for (guint i = 0; i < n_ids; i++)
        {
          GSignalQuery query;

          g_signal_query (ids[i], &query);
          if (!g_str_has_prefix (query.signal_name, "handle-") &&
              !g_str_has_suffix (query.signal_name, "-request"))
            continue;
          g_test_message ("%s::%s", g_type_name (types[t]), query.signal_name);
          g_assert_true (query.signal_flags & G_SIGNAL_RUN_LAST);
          g_assert_cmpuint (query.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE, ==, G_TYPE_BOOLEAN);
          n_checked++;
        }
    }
  /* Six agent requests, read-request and write-request. */
  g_assert_cmpuint (n_checked, ==, 8);
}

static gboolean
take (GpAttribute *attribute,
      GpRequest   *request,
      gpointer     user_data)
{
  return TRUE;
}

static gboolean
count (GpAttribute *attribute,
       GpRequest   *request,
       guint       *n)
{
  (*n)++;
  return FALSE;
}

/* g_signal_accumulator_true_handled: the first handler that takes the
 * request stops the emission (and the default handler). */
static void
test_handler_accumulator (void)
{
  g_autoptr(GpCharacteristic) chrc =
    gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE, NULL);
  const char * const names[] = { "read-request", "write-request" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint n = 0;
      gboolean handled = FALSE;
      gulong a = g_signal_connect (chrc, names[i], G_CALLBACK (take), NULL);
      gulong b = g_signal_connect (chrc, names[i], G_CALLBACK (count), &n);

      g_signal_emit_by_name (chrc, names[i], NULL, &handled);
      g_assert_true (handled);
      g_assert_cmpuint (n, ==, 0);
      g_signal_handler_disconnect (chrc, a);
      g_signal_handler_disconnect (chrc, b);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/request-properties", test_request_properties);
  g_test_add_func ("/api/pairing-request-properties", test_pairing_request_properties);
  g_test_add_func ("/api/handler-signals", test_handler_signals);
  g_test_add_func ("/api/handler-accumulator", test_handler_accumulator);

  return g_test_run ();
}
