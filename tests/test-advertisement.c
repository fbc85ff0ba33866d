/* test-advertisement.c: GpAdvertisement against the fake BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-advertisement-private.h"

#include <string.h>

static const char * const experimental_args[] = { "--experimental", NULL };
static const char * const extended_args[] = { "--adv-mgmt", "extended", NULL };

static void
setup_experimental (FakeFixture   *fx,
                    gconstpointer  data)
{
  fake_fixture_setup_with_args (fx, experimental_args);
}

static void
setup_extended (FakeFixture   *fx,
                gconstpointer  data)
{
  fake_fixture_setup_with_args (fx, extended_args);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
start (GpAdvertisement  *adv,
       GError          **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  gp_advertisement_start_async (adv, NULL, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = gp_advertisement_start_finish (adv, result, error);
  g_object_unref (result);
  return ok;
}

static void
start_ok (GpAdvertisement *adv)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (start (adv, &error));
  g_assert_no_error (error);
  g_assert_true (gp_advertisement_get_registered (adv));
}

static gboolean
stop (GpAdvertisement  *adv,
      GError          **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  gp_advertisement_stop_async (adv, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = gp_advertisement_stop_finish (adv, result, error);
  g_object_unref (result);
  return ok;
}

static GpAdvertisement *
heart_monitor (FakeFixture *fx,
               const char  *path)
{
  GpAdvertisement *adv = gp_advertisement_new_for_connection (fx->conn, path);

  gp_advertisement_set_local_name (adv, "Heart Monitor");
  gp_advertisement_set_service_uuids (adv, (const char *[]) { "180D", NULL });
  gp_advertisement_set_appearance (adv, 0x0340);
  return adv;
}

static GBytes *
ay (GVariant   *entry,
    const char *key)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (entry, key, G_VARIANT_TYPE_BYTESTRING);

  g_assert_nonnull (v);
  return g_variant_get_data_as_bytes (v);
}

static void
assert_bytes (GBytes       *bytes,
              const guint8 *expected,
              gsize         len)
{
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, len);
}

static GVariant *
call_async (GDBusConnection  *conn,
            const char       *dest,
            const char       *path,
            const char       *iface,
            const char       *method,
            GVariant         *params,
            const char       *reply_type,
            GError          **error)
{
  GAsyncResult *result = NULL;
  GVariant *reply;

  g_dbus_connection_call (conn, dest, path, iface, method, params,
                          reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = g_dbus_connection_call_finish (conn, result, error);
  g_object_unref (result);
  return reply;
}

static gboolean
not_active (gpointer data)
{
  return !gp_advertisement_get_registered (data);
}

static gboolean
is_active (gpointer data)
{
  return gp_advertisement_get_registered (data);
}

static gboolean
uint_nonzero (gpointer data)
{
  return *(guint *) data != 0;
}

static gboolean
no_advertisements (gpointer data)
{
  return fake_advertisement_count (data) == 0;
}

/* The fake's /test/adv has MaxInterval == MinInterval == 100 ms. */
static gboolean
max_interval_is_min (gpointer data)
{
  g_autoptr(GVariant) entry = fake_advertisement (data, "/test/adv");
  guint32 min = 0, max = 0;

  return entry != NULL && g_variant_lookup (entry, "min-interval", "u", &min) &&
         g_variant_lookup (entry, "max-interval", "u", &max) && min == 160 && max == 160;
}

/* The fake's /test/adv carries no appearance. */
static gboolean
no_appearance (gpointer data)
{
  g_autoptr(GVariant) entry = fake_advertisement (data, "/test/adv");

  return entry != NULL && !g_variant_lookup (entry, "appearance", "q", NULL);
}

/* ---------------------------------------------------------------- */

static void
test_defaults_and_properties (void)
{
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new ();
  g_autoptr(GpAdvertisement) other = gp_advertisement_new ();
  g_autoptr(GBytes) m = g_bytes_new_static ("\x01\x02", 2);
  guint notifies = 0;

  g_assert_true (g_str_has_prefix (gp_advertisement_get_object_path (adv), "/org/gattperiph/advertisement"));
  g_assert_cmpstr (gp_advertisement_get_object_path (adv), !=, gp_advertisement_get_object_path (other));
  g_assert_null (gp_advertisement_get_connection (adv));
  g_assert_null (gp_advertisement_get_adapter (adv));
  g_assert_false (gp_advertisement_get_registered (adv));
  g_assert_cmpint (gp_advertisement_get_advertisement_type (adv), ==, GP_ADVERTISEMENT_TYPE_PERIPHERAL);
  g_assert_true (gp_advertisement_get_discoverable (adv));
  g_assert_cmpuint (gp_advertisement_get_timeout (adv), ==, 0);
  g_assert_cmpint (gp_advertisement_get_appearance (adv), ==, GP_ADVERTISEMENT_APPEARANCE_NONE);
  g_assert_cmpint (gp_advertisement_get_tx_power (adv), ==, GP_ADVERTISEMENT_TX_POWER_NONE);
  g_assert_cmpint (gp_advertisement_get_secondary_channel (adv), ==, GP_SECONDARY_CHANNEL_NONE);
  g_assert_null (gp_advertisement_get_local_name (adv));
  g_assert_null (gp_advertisement_get_service_uuids (adv));

  g_signal_connect_swapped (adv, "notify", G_CALLBACK (g_atomic_int_inc), &notifies);
  g_object_set (adv,
                "advertisement-type", GP_ADVERTISEMENT_TYPE_BROADCAST,
                "service-uuids", (const char *[]) { "180d", NULL },
                "solicit-uuids", (const char *[]) { "1812", NULL },
                "local-name", "x",
                "appearance", 0x0340,
                "includes", GP_ADVERTISEMENT_INCLUDES_TX_POWER,
                "discoverable", FALSE,
                "discoverable-timeout", 10,
                "duration", 3,
                "timeout", 60,
                "secondary-channel", GP_SECONDARY_CHANNEL_2M,
                "min-interval", 100,
                "max-interval", 200,
                "tx-power", -4,
                NULL);
  g_assert_cmpuint (notifies, ==, 14);
  /* Setting the same values again notifies nothing. */
  g_object_set (adv, "local-name", "x", "timeout", 60, "tx-power", -4, NULL);
  g_assert_cmpuint (notifies, ==, 14);

  g_assert_cmpint (gp_advertisement_get_advertisement_type (adv), ==, GP_ADVERTISEMENT_TYPE_BROADCAST);
  g_assert_cmpstr (gp_advertisement_get_service_uuids (adv)[0], ==, "180d");
  g_assert_cmpstr (gp_advertisement_get_solicit_uuids (adv)[0], ==, "1812");
  g_assert_cmpstr (gp_advertisement_get_local_name (adv), ==, "x");
  g_assert_cmpint (gp_advertisement_get_appearance (adv), ==, 0x0340);
  g_assert_cmpint (gp_advertisement_get_includes (adv), ==, GP_ADVERTISEMENT_INCLUDES_TX_POWER);
  g_assert_false (gp_advertisement_get_discoverable (adv));
  g_assert_cmpuint (gp_advertisement_get_discoverable_timeout (adv), ==, 10);
  g_assert_cmpuint (gp_advertisement_get_duration (adv), ==, 3);
  g_assert_cmpuint (gp_advertisement_get_timeout (adv), ==, 60);
  g_assert_cmpint (gp_advertisement_get_secondary_channel (adv), ==, GP_SECONDARY_CHANNEL_2M);
  g_assert_cmpuint (gp_advertisement_get_min_interval (adv), ==, 100);
  g_assert_cmpuint (gp_advertisement_get_max_interval (adv), ==, 200);
  g_assert_cmpint (gp_advertisement_get_tx_power (adv), ==, -4);

  gp_advertisement_set_manufacturer_data (adv, 0x004c, m);
  g_assert_true (g_bytes_equal (gp_advertisement_get_manufacturer_data (adv, 0x004c), m));
  g_assert_null (gp_advertisement_get_manufacturer_data (adv, 0x0001));
  gp_advertisement_set_manufacturer_data (adv, 0x004c, NULL);
  g_assert_null (gp_advertisement_get_manufacturer_data (adv, 0x004c));
  gp_advertisement_set_service_data (adv, "180f", m);
  g_assert_true (g_bytes_equal (gp_advertisement_get_service_data (adv, "180f"), m));
  gp_advertisement_set_advertising_data (adv, 0x26, m);
  g_assert_true (g_bytes_equal (gp_advertisement_get_advertising_data (adv, 0x26), m));
  gp_advertisement_set_advertising_data (adv, 0x26, NULL);
  g_assert_null (gp_advertisement_get_advertising_data (adv, 0x26));
}

static void
test_heart_monitor (FakeFixture   *fx,
                    gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GBytes) adv_data = NULL;
  g_autoptr(GBytes) scan = NULL;
  g_autofree const char **uuids = NULL;
  const char *name = NULL, *type = NULL;
  guint16 appearance = 0;
  gboolean connectable = FALSE, discoverable = FALSE;
  guint active_notifies = 0;
  /* Flags (own: LE General | BR/EDR not supported), the UUID list, the
   * appearance, then TX power from the fake kernel: none here. */
  static const guint8 expected_adv[] = { 0x03, 0x03, 0x0d, 0x18, 0x03, 0x19, 0x40, 0x03,
                                         0x02, 0x01, 0x06 };
  static const guint8 expected_scan[] = { 14, 0x09, 'H', 'e', 'a', 'r', 't', ' ', 'M', 'o',
                                          'n', 'i', 't', 'o', 'r' };

  g_signal_connect_swapped (adv, "notify::registered", G_CALLBACK (g_atomic_int_inc), &active_notifies);
  start_ok (adv);
  g_assert_cmpuint (active_notifies, ==, 1);
  g_assert_nonnull (gp_advertisement_get_adapter (adv));
  g_assert_cmpstr (gp_adapter_get_object_path (gp_advertisement_get_adapter (adv)), ==, "/org/bluez/hci0");

  entry = fake_advertisement (fx, "/test/adv");
  g_assert_nonnull (entry);
  g_assert_true (g_variant_lookup (entry, "type", "&s", &type));
  g_assert_cmpstr (type, ==, "peripheral");
  g_assert_true (g_variant_lookup (entry, "connectable", "b", &connectable));
  g_assert_true (connectable);
  g_assert_true (g_variant_lookup (entry, "discoverable", "b", &discoverable));
  g_assert_true (discoverable);
  g_assert_true (g_variant_lookup (entry, "local-name", "&s", &name));
  g_assert_cmpstr (name, ==, "Heart Monitor");
  g_assert_true (g_variant_lookup (entry, "appearance", "q", &appearance));
  g_assert_cmphex (appearance, ==, 0x0340);
  g_assert_true (g_variant_lookup (entry, "service-uuids", "^a&s", &uuids));
  g_assert_cmpuint (g_strv_length ((char **) uuids), ==, 1);
  g_assert_cmpstr (uuids[0], ==, "0000180d-0000-1000-8000-00805f9b34fb");

  adv_data = ay (entry, "adv-data");
  scan = ay (entry, "scan-rsp");
  g_assert_cmpuint (g_bytes_get_size (adv_data), ==, gp_advertisement_get_data_length (adv));
  assert_bytes (adv_data, expected_adv, sizeof expected_adv);
  assert_bytes (scan, expected_scan, sizeof expected_scan);

  g_assert_true (stop (adv, NULL));
  g_assert_false (gp_advertisement_get_registered (adv));
  g_assert_cmpuint (active_notifies, ==, 2);
  g_assert_null (fake_advertisement (fx, "/test/adv"));

  /* And again: an advertisement can be restarted. */
  start_ok (adv);
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 1);
}

static void
test_all_fields (FakeFixture   *fx,
                 gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GBytes) m1 = g_bytes_new_static ("\x01\x02", 2);
  g_autoptr(GBytes) m2 = g_bytes_new_static ("\x00\x03", 2);
  g_autoptr(GBytes) sd = g_bytes_new_static ("\x64", 1);
  g_autoptr(GBytes) uri = g_bytes_new_static ("\x17" "a", 2);   /* 4 + 12 + 5 + 4 + Flags 3 = 28 = 31 − tx-power */
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GVariant) manuf = NULL;
  g_autoptr(GVariant) sdata = NULL;
  g_autoptr(GVariant) raw = NULL;
  g_autofree const char **solicit = NULL;
  g_autofree const char **includes = NULL;
  guint16 duration = 0, timeout = 0, disc_timeout = 0;
  g_autoptr(GError) error = NULL;

  gp_advertisement_set_solicit_uuids (adv, (const char *[]) { "1812", NULL });
  gp_advertisement_set_manufacturer_data (adv, 0x004c, m1);
  gp_advertisement_set_manufacturer_data (adv, 0xffff, m2);
  gp_advertisement_set_service_data (adv, "180F", sd);
  gp_advertisement_set_advertising_data (adv, 0x24, uri);
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_TX_POWER |
                                      GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME);
  gp_advertisement_set_duration (adv, 4);
  gp_advertisement_set_timeout (adv, 600);
  gp_advertisement_set_discoverable_timeout (adv, 300);
  g_assert_true (gp_advertisement_check (adv, &error));
  g_assert_no_error (error);
  start_ok (adv);

  entry = fake_advertisement (fx, "/test/adv");
  g_assert_nonnull (entry);
  g_assert_true (g_variant_lookup (entry, "solicit-uuids", "^a&s", &solicit));
  g_assert_cmpstr (solicit[0], ==, "00001812-0000-1000-8000-00805f9b34fb");
  manuf = g_variant_lookup_value (entry, "manufacturer-data", G_VARIANT_TYPE ("a{qay}"));
  g_assert_cmpuint (g_variant_n_children (manuf), ==, 2);
  sdata = g_variant_lookup_value (entry, "service-data", G_VARIANT_TYPE ("a{say}"));
  g_assert_cmpuint (g_variant_n_children (sdata), ==, 1);
  raw = g_variant_lookup_value (entry, "data", G_VARIANT_TYPE ("a{yay}"));
  g_assert_cmpuint (g_variant_n_children (raw), ==, 1);
  g_assert_true (g_variant_lookup (entry, "includes", "^a&s", &includes));
  g_assert_true (g_strv_contains (includes, "tx-power"));
  g_assert_true (g_strv_contains (includes, "local-name"));
  g_assert_true (g_variant_lookup (entry, "duration", "q", &duration));
  g_assert_cmpuint (duration, ==, 4);
  g_assert_true (g_variant_lookup (entry, "timeout", "q", &timeout));
  g_assert_cmpuint (timeout, ==, 600);
  g_assert_true (g_variant_lookup (entry, "discoverable-timeout", "q", &disc_timeout));
  g_assert_cmpuint (disc_timeout, ==, 300);
}

static void
test_broadcast (FakeFixture   *fx,
                gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new_for_connection (fx->conn, "/test/beacon");
  g_autoptr(GBytes) ibeacon = g_bytes_new_static ("\x02\x15" "0123456789abcdef" "\x00\x01\x00\x02\xc5", 23);
  g_autoptr(GVariant) entry = NULL;
  const char *type = NULL;
  gboolean discoverable = TRUE;

  gp_advertisement_set_advertisement_type (adv, GP_ADVERTISEMENT_TYPE_BROADCAST);
  gp_advertisement_set_manufacturer_data (adv, 0x004c, ibeacon);
  start_ok (adv);
  entry = fake_advertisement (fx, "/test/beacon");
  g_assert_true (g_variant_lookup (entry, "type", "&s", &type));
  g_assert_cmpstr (type, ==, "broadcast");
  g_assert_true (g_variant_lookup (entry, "discoverable", "b", &discoverable));
  g_assert_false (discoverable);
}

static void
test_get_all (FakeFixture   *fx,
              gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autoptr(GError) error = NULL;
  const char *type = NULL;

  start_ok (adv);
  /* What BlueZ read (with GetAll): only what is set. */
  all = fake_advertisement (fx, "/test/adv");
  g_assert_true (g_variant_lookup (all, "type", "&s", &type));
  g_assert_cmpstr (type, ==, "peripheral");
  g_assert_true (g_variant_lookup (all, "discoverable", "b", NULL));

  /* Another peer may neither read the properties nor call Release. */
  other = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fx->bus),
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  reply = call_async (other, g_dbus_connection_get_unique_name (fx->conn),
                      "/test/adv", "org.freedesktop.DBus.Properties", "GetAll",
                      g_variant_new ("(s)", "org.bluez.LEAdvertisement1"), "(a{sv})", &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  reply = call_async (other, g_dbus_connection_get_unique_name (fx->conn),
                      "/test/adv", "org.bluez.LEAdvertisement1", "Release", NULL, NULL, &error);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
  g_assert_true (gp_advertisement_get_registered (adv));
  g_dbus_connection_close_sync (other, NULL, NULL);
}

static void
test_change_while_active (FakeFixture   *fx,
                          gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GBytes) m = g_bytes_new_static ("\xaa\xbb", 2);
  const char *name = NULL;
  guint64 registrations, changes;
  guint8 instance = 0, instance2 = 0;

  start_ok (adv);
  entry = fake_advertisement (fx, "/test/adv");
  g_variant_lookup (entry, "instance", "y", &instance);
  g_clear_pointer (&entry, g_variant_unref);
  registrations = fake_stat (fx, "RegisterAdvertisement");

  /* Two changes in one iteration: two PropertiesChanged, no re-registration. */
  gp_advertisement_set_local_name (adv, "Heart Monitor 2");
  gp_advertisement_set_manufacturer_data (adv, 0x0059, m);
  fake_wait_stat (fx, "AdvPropertiesChanged", 2, 5000);
  spin_for (50);
  changes = fake_stat (fx, "AdvPropertiesChanged");
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (fake_stat (fx, "RegisterAdvertisement"), ==, registrations);
  entry = fake_advertisement (fx, "/test/adv");
  g_assert_true (g_variant_lookup (entry, "local-name", "&s", &name));
  g_assert_cmpstr (name, ==, "Heart Monitor 2");
  g_variant_lookup (entry, "instance", "y", &instance2);
  g_assert_cmpuint (instance, ==, instance2);
  {
    g_autoptr(GVariant) manuf = g_variant_lookup_value (entry, "manufacturer-data", G_VARIANT_TYPE ("a{qay}"));
    g_assert_cmpuint (g_variant_n_children (manuf), ==, 1);
  }
  g_clear_pointer (&entry, g_variant_unref);

  /* Removing a property: invalidated, applied. */
  gp_advertisement_set_local_name (adv, NULL);
  fake_wait_stat (fx, "AdvPropertiesChanged", changes + 1, 5000);
  entry = fake_advertisement (fx, "/test/adv");
  g_assert_false (g_variant_lookup (entry, "local-name", "&s", &name));
  g_clear_pointer (&entry, g_variant_unref);
  g_assert_cmpuint (fake_stat (fx, "RegisterAdvertisement"), ==, registrations);

  /* Removing the appearance: 5.66 would keep it; the library re-registers. */
  gp_advertisement_set_appearance (adv, GP_ADVERTISEMENT_APPEARANCE_NONE);
  fake_wait_stat (fx, "RegisterAdvertisement", registrations + 1, 5000);
  spin_until (is_active, adv, 5000);
  g_assert_cmpuint (fake_stat (fx, "RegisterAdvertisement"), ==, registrations + 1);
  entry = fake_advertisement (fx, "/test/adv");
  g_assert_nonnull (entry);
  g_assert_false (g_variant_lookup (entry, "appearance", "q", NULL));
  g_clear_pointer (&entry, g_variant_unref);

  /* Changing the type re-registers too. */
  gp_advertisement_set_advertisement_type (adv, GP_ADVERTISEMENT_TYPE_BROADCAST);
  fake_wait_stat (fx, "RegisterAdvertisement", registrations + 2, 5000);
  spin_until (is_active, adv, 5000);
  g_assert_cmpuint (fake_stat (fx, "RegisterAdvertisement"), ==, registrations + 2);
  entry = fake_advertisement (fx, "/test/adv");
  {
    const char *type = NULL;
    g_assert_true (g_variant_lookup (entry, "type", "&s", &type));
    g_assert_cmpstr (type, ==, "broadcast");
  }
}

static void
on_update_failed (GpAdvertisement *adv,
                  const GError    *error,
                  gpointer         user_data)
{
  *(GError **) user_data = g_error_copy (error);
}

static void
test_change_refused (FakeFixture   *fx,
                     gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (25), 25);
  g_autoptr(GVariant) entry = NULL;
  GError *failure = NULL;
  guint64 changes;

  g_signal_connect (adv, "update-failed", G_CALLBACK (on_update_failed), &failure);
  start_ok (adv);
  changes = fake_stat (fx, "AdvPropertiesChanged");

  gp_advertisement_set_manufacturer_data (adv, 0x004c, big);
  spin_until (uint_nonzero, &failure, 2000);
  g_assert_error (failure, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (failure->message, "ManufacturerData[0x004c] 29"));
  g_assert_nonnull (strstr (failure->message, "bytes too many"));
  g_clear_error (&failure);
  g_assert_cmpuint (fake_stat (fx, "AdvPropertiesChanged"), ==, changes);
  g_assert_true (gp_advertisement_get_registered (adv));
  entry = fake_advertisement (fx, "/test/adv");
  {
    g_autoptr(GVariant) manuf = g_variant_lookup_value (entry, "manufacturer-data", G_VARIANT_TYPE ("a{qay}"));
    g_assert_cmpuint (g_variant_n_children (manuf), ==, 0);
  }

  /* Fixing it sends it. */
  gp_advertisement_set_appearance (adv, GP_ADVERTISEMENT_APPEARANCE_NONE);
  gp_advertisement_set_service_uuids (adv, NULL);
  gp_advertisement_set_manufacturer_data (adv, 0x004c, NULL);
  spin_until (no_appearance, fx, 5000);
  spin_until (is_active, adv, 5000);
  g_assert_null (failure);

  /* A conflict. */
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME);
  spin_until (uint_nonzero, &failure, 2000);
  g_assert_error (failure, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&failure);
}

static void
test_size_budget (FakeFixture   *fx,
                  gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GBytes) fits = g_bytes_new_take (g_malloc0 (24), 24);   /* 4 + 24 + Flags 3 = 31 */
  g_autoptr(GBytes) over = g_bytes_new_take (g_malloc0 (25), 25);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) entry = NULL;

  gp_advertisement_set_manufacturer_data (adv, 0x004c, over);
  g_assert_false (gp_advertisement_check (adv, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "takes 32 bytes"));
  g_assert_nonnull (strstr (error->message, "ManufacturerData[0x004c] 29"));
  g_assert_nonnull (strstr (error->message, "Flags (discoverable) 3"));
  g_assert_nonnull (strstr (error->message, ": 1 bytes too many"));
  g_clear_error (&error);
  g_assert_false (start (adv, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_clear_error (&error);
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 0);

  /* Exactly 31 bytes: BlueZ takes it. */
  gp_advertisement_set_manufacturer_data (adv, 0x004c, fits);
  g_assert_cmpuint (gp_advertisement_get_data_length (adv), ==, 31);
  start_ok (adv);
  entry = fake_advertisement (fx, "/test/adv");
  g_assert_nonnull (entry);
  g_assert_true (stop (adv, NULL));

  /* Includes tx-power takes 3 more. */
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_TX_POWER);
  g_assert_false (start (adv, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "tx-power"));
  g_assert_nonnull (strstr (error->message, "3 bytes too many"));
  g_clear_error (&error);

  /* Includes appearance counts twice on the legacy path (5.66). */
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_APPEARANCE);
  gp_advertisement_set_manufacturer_data (adv, 0x004c, NULL);
  {
    g_autoptr(GBytes) b = g_bytes_new_take (g_malloc0 (16), 16);  /* 20 + 4 + 3 = 27 ≤ 31 − 4 */
    g_autoptr(GBytes) c = g_bytes_new_take (g_malloc0 (17), 17);

    gp_advertisement_set_manufacturer_data (adv, 0x004c, b);
    start_ok (adv);
    g_assert_true (stop (adv, NULL));
    gp_advertisement_set_manufacturer_data (adv, 0x004c, c);
    g_assert_false (start (adv, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
    g_clear_error (&error);
  }

  /* A peripheral without its own flags keeps room for the kernel's. */
  gp_advertisement_set_includes (adv, 0);
  gp_advertisement_set_discoverable (adv, FALSE);
  gp_advertisement_set_manufacturer_data (adv, 0x004c, fits);   /* 28: fits */
  g_assert_true (gp_advertisement_check (adv, NULL));
  gp_advertisement_set_manufacturer_data (adv, 0x004c, over);   /* 29 > 31 − 3 */
  g_assert_false (gp_advertisement_check (adv, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_clear_error (&error);
  /* A broadcast has no flags at all: 4 + 27 = 31. */
  gp_advertisement_set_advertisement_type (adv, GP_ADVERTISEMENT_TYPE_BROADCAST);
  {
    g_autoptr(GBytes) b = g_bytes_new_take (g_malloc0 (27), 27);
    gp_advertisement_set_manufacturer_data (adv, 0x004c, b);
    start_ok (adv);
  }
}

static void
test_extended_budget (FakeFixture   *fx,
                      gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GBytes) b = g_bytes_new_take (g_malloc0 (20), 20);  /* 24 + 4 + 3 = 31 */
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) entry = NULL;
  const char *channel = NULL;

  /* Before the first start, the strict legacy budget applies. */
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_APPEARANCE);
  gp_advertisement_set_manufacturer_data (adv, 0x004c, b);
  g_assert_false (gp_advertisement_check (adv, &error));
  g_clear_error (&error);
  /* The extended MGMT path does not count the appearance twice. */
  gp_advertisement_set_includes (adv, 0);
  start_ok (adv);
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_APPEARANCE);
  g_assert_true (gp_advertisement_check (adv, &error));
  g_assert_no_error (error);
  g_assert_true (stop (adv, NULL));
  start_ok (adv);
  g_assert_true (stop (adv, NULL));

  /* Secondary channels exist with extended advertising. */
  gp_advertisement_set_secondary_channel (adv, GP_SECONDARY_CHANNEL_CODED);
  start_ok (adv);
  entry = fake_advertisement (fx, "/test/adv");
  g_assert_true (g_variant_lookup (entry, "secondary-channel", "&s", &channel));
  g_assert_cmpstr (channel, ==, "Coded");
}

static void
test_invalid (FakeFixture   *fx,
              gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GBytes) b = g_bytes_new_static ("x", 1);
  g_autoptr(GError) error = NULL;

#define EXPECT(code, fragment) G_STMT_START {                        \
    g_assert_false (start (adv, &error));                            \
    g_assert_error (error, GP_ERROR, code);                          \
    g_assert_nonnull (strstr (error->message, fragment));            \
    g_clear_error (&error);                                          \
  } G_STMT_END

  gp_advertisement_set_service_uuids (adv, (const char *[]) { "180d", "nope", NULL });
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "“nope”");
  gp_advertisement_set_service_uuids (adv, NULL);

  gp_advertisement_set_solicit_uuids (adv, (const char *[]) { "xyz", NULL });
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "solicit-uuids");
  gp_advertisement_set_solicit_uuids (adv, NULL);

  gp_advertisement_set_service_data (adv, "zz", b);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "“zz”");
  gp_advertisement_set_service_data (adv, "zz", NULL);

  gp_advertisement_set_advertising_data (adv, 0x01, b);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "discoverable");
  gp_advertisement_set_advertising_data (adv, 0x01, NULL);
  gp_advertisement_set_advertising_data (adv, 0xff, b);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "manufacturer");
  gp_advertisement_set_advertising_data (adv, 0xff, NULL);
  gp_advertisement_set_advertising_data (adv, 0x3d, b);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "0x3d");
  gp_advertisement_set_advertising_data (adv, 0x3d, NULL);

  gp_advertisement_set_local_name (adv, "n");
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "local-name");
  gp_advertisement_set_local_name (adv, NULL);

  gp_advertisement_set_appearance (adv, 0x0340);
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_APPEARANCE);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "appearance");
  gp_advertisement_set_includes (adv, 0);

  gp_advertisement_set_timeout (adv, 10);
  gp_advertisement_set_discoverable_timeout (adv, 20);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "discoverable-timeout");
  gp_advertisement_set_timeout (adv, 0);
  gp_advertisement_set_discoverable_timeout (adv, 0);

  gp_advertisement_set_min_interval (adv, 200);
  gp_advertisement_set_max_interval (adv, 100);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "larger than");
  gp_advertisement_set_min_interval (adv, 10);
  gp_advertisement_set_max_interval (adv, 0);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "20 ms");
  gp_advertisement_set_min_interval (adv, 0);

  gp_advertisement_set_tx_power (adv, 21);
  EXPECT (GP_ERROR_INVALID_ARGUMENTS, "tx-power");
  gp_advertisement_set_tx_power (adv, GP_ADVERTISEMENT_TX_POWER_NONE);

  /* Without bluetoothd -E, 5.66 would ignore intervals and TX power (from
   * 5.77 they are stable, and the fake playing 5.82 takes them). */
  if (g_getenv ("FAKEBLUEZ_BLUEZ") == NULL || g_str_equal (g_getenv ("FAKEBLUEZ_BLUEZ"), "5.66"))
    {
      gp_advertisement_set_min_interval (adv, 100);
      EXPECT (GP_ERROR_NOT_SUPPORTED, "-E");
      gp_advertisement_set_min_interval (adv, 0);
      gp_advertisement_set_tx_power (adv, 0);
      EXPECT (GP_ERROR_NOT_SUPPORTED, "tx-power");
      gp_advertisement_set_tx_power (adv, GP_ADVERTISEMENT_TX_POWER_NONE);
    }

  /* The legacy fake has no secondary channels. */
  gp_advertisement_set_secondary_channel (adv, GP_SECONDARY_CHANNEL_1M);
  EXPECT (GP_ERROR_NOT_SUPPORTED, "1M");
  gp_advertisement_set_secondary_channel (adv, GP_SECONDARY_CHANNEL_NONE);

  start_ok (adv);
  EXPECT (GP_ERROR_ALREADY_EXISTS, "already registered");
  g_assert_true (stop (adv, NULL));
  g_assert_false (stop (adv, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
  g_clear_error (&error);
#undef EXPECT
}

static void
test_experimental (FakeFixture   *fx,
                   gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GVariant) entry = NULL;
  guint32 min = 0, max = 0;
  gint16 tx = 0;

  gp_advertisement_set_min_interval (adv, 100);
  gp_advertisement_set_max_interval (adv, 150);
  gp_advertisement_set_tx_power (adv, -6);
  start_ok (adv);
  entry = fake_advertisement (fx, "/test/adv");
  g_assert_true (g_variant_lookup (entry, "min-interval", "u", &min));
  g_assert_true (g_variant_lookup (entry, "max-interval", "u", &max));
  g_assert_true (g_variant_lookup (entry, "tx-power", "n", &tx));
  g_assert_cmpuint (min, ==, 160);   /* 0.625 ms units */
  g_assert_cmpuint (max, ==, 240);
  g_assert_cmpint (tx, ==, -6);
  g_clear_pointer (&entry, g_variant_unref);

  /* Only one interval: used for both. */
  gp_advertisement_set_max_interval (adv, 0);
  spin_until (max_interval_is_min, fx, 5000);
}

static void
test_several (FakeFixture   *fx,
              gconstpointer  data)
{
  GpAdvertisement *ads[6];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 6; i++)
    {
      ads[i] = gp_advertisement_new_for_connection (fx->conn, NULL);
      gp_advertisement_set_local_name (ads[i], "several");
    }
  for (guint i = 0; i < 5; i++)
    start_ok (ads[i]);
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 5);

  g_assert_false (start (ads[5], &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
  g_assert_nonnull (strstr (error->message, "5 advertisements are active"));
  g_assert_nonnull (strstr (error->message, "Stop one"));
  g_clear_error (&error);
  g_assert_false (gp_advertisement_get_registered (ads[5]));

  g_assert_true (stop (ads[0], NULL));
  start_ok (ads[5]);

  /* Disposing of an active advertisement unregisters it. */
  for (guint i = 0; i < 6; i++)
    g_object_unref (ads[i]);
  spin_until (no_advertisements, fx, 5000);
}

static void
test_same_path (FakeFixture   *fx,
                gconstpointer  data)
{
  g_autoptr(GpAdvertisement) a = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GpAdvertisement) b = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GError) error = NULL;

  start_ok (a);
  g_assert_false (start (b, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_false (gp_advertisement_get_registered (b));
  g_assert_true (gp_advertisement_get_registered (a));
}

static void
on_released (GpAdvertisement *adv,
             gpointer         user_data)
{
  g_assert_false (gp_advertisement_get_registered (adv));
  (*(guint *) user_data)++;
}

static void
test_released (FakeFixture   *fx,
               gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint released = 0;

  g_signal_connect (adv, "released", G_CALLBACK (on_released), &released);
  gp_advertisement_set_timeout (adv, 3600);
  start_ok (adv);
  reply = fake_call (fx, "ExpireAdvertisement", g_variant_new ("(o)", "/test/adv"), NULL, &error);
  g_assert_no_error (error);
  spin_until (uint_nonzero, &released, 2000);
  g_assert_cmpuint (released, ==, 1);
  g_assert_false (gp_advertisement_get_registered (adv));
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 0);

  /* Stopping does not release. */
  start_ok (adv);
  g_assert_true (stop (adv, NULL));
  spin_for (100);
  g_assert_cmpuint (released, ==, 1);

  /* Adapter removal releases it too, but that is a loss, not a release. */
  start_ok (adv);
  g_clear_pointer (&reply, g_variant_unref);
  reply = fake_call (fx, "RemoveAdapter", g_variant_new ("(s)", "hci0"), NULL, &error);
  g_assert_no_error (error);
  spin_until (not_active, adv, 2000);
  g_assert_cmpint (gp_advertisement_get_registration_state (adv), ==, GP_REGISTRATION_STATE_LOST);
  g_assert_cmpuint (released, ==, 1);
}

static void
test_bluez_restart (FakeFixture   *fx,
                    gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  /* Without auto-register, the program starts it again itself. */
  gp_advertisement_set_auto_register (adv, FALSE);
  start_ok (adv);
  reply = fake_call (fx, "Restart", NULL, NULL, &error);
  g_assert_no_error (error);
  spin_until (not_active, adv, 3000);
  spin_for (300);
  g_assert_cmpint (gp_advertisement_get_registration_state (adv), ==, GP_REGISTRATION_STATE_LOST);
  /* BlueZ is back: start again. */
  start_ok (adv);
}

static void
test_not_ready (FakeFixture   *fx,
                gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = heart_monitor (fx, "/test/adv");
  g_autoptr(GpAdapter) adapter = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci0");
  g_autoptr(GpAdapter) gone = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci7");
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  fake_set_bluez_property (fx, "/org/bluez/hci0", "org.bluez.Adapter1", "Powered",
                           g_variant_new_boolean (FALSE));
  gp_advertisement_start_async (adv, adapter, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gp_advertisement_start_finish (adv, result, &error));
  g_clear_object (&result);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_READY);
  g_assert_nonnull (strstr (error->message, "power it on"));
  g_clear_error (&error);

  gp_advertisement_start_async (adv, gone, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gp_advertisement_start_finish (adv, result, &error));
  g_clear_object (&result);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_AVAILABLE);
  g_clear_error (&error);

  /* No BlueZ at all. */
  g_subprocess_send_signal (fx->fake, SIGTERM);
  g_subprocess_wait (fx->fake, NULL, NULL);
  g_clear_object (&fx->fake);
  gp_advertisement_start_async (adv, adapter, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gp_advertisement_start_finish (adv, result, &error));
  g_clear_object (&result);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_READY);
  g_assert_nonnull (strstr (error->message, "not running"));
}

static GError *
bluez_error (const char *name,
             const char *message)
{
  return g_dbus_error_new_for_dbus_error (name, message);
}

static void
test_error_messages (void)
{
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new ();
  g_autoptr(GBytes) b = g_bytes_new_take (g_malloc0 (10), 10);
  GError *e;

  gp_advertisement_set_manufacturer_data (adv, 0x004c, b);

  e = gp_advertisement_explain_error (adv, bluez_error ("org.bluez.Error.NotPermitted",
                                                       "Maximum advertisements reached"));
  g_assert_error (e, GP_ERROR, GP_ERROR_NOT_PERMITTED);
  g_assert_nonnull (strstr (e->message, "Stop one"));
  g_clear_error (&e);

  e = gp_advertisement_explain_error (adv, bluez_error ("org.bluez.Error.Failed",
                                                       "Failed to parse advertisement."));
  g_assert_error (e, GP_ERROR, GP_ERROR_FAILED);
  g_assert_nonnull (strstr (e->message, "ManufacturerData[0x004c] 14"));
  g_assert_nonnull (strstr (e->message, "Remove the largest field"));
  g_clear_error (&e);

  e = gp_advertisement_explain_error (adv, bluez_error ("org.bluez.Error.Failed",
                                                       "Failed to register advertisement"));
  g_assert_error (e, GP_ERROR, GP_ERROR_FAILED);
  g_assert_nonnull (strstr (e->message, "kernel or controller"));
  g_clear_error (&e);

  e = gp_advertisement_explain_error (adv, bluez_error ("org.bluez.Error.AlreadyExists",
                                                       "Already Exists"));
  g_assert_error (e, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (e->message, "its own path"));
  g_clear_error (&e);

  e = gp_advertisement_explain_error (adv, bluez_error ("org.freedesktop.DBus.Error.UnknownMethod",
                                                       "No such method"));
  g_assert_error (e, GP_ERROR, GP_ERROR_NOT_AVAILABLE);
  g_clear_error (&e);

  e = gp_advertisement_explain_error (adv, bluez_error ("org.bluez.Error.InvalidArguments",
                                                       "Invalid arguments in method call"));
  g_assert_error (e, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_true (g_str_has_prefix (e->message, "BlueZ refused advertisement"));
  g_clear_error (&e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/advertisement/" name, FakeFixture, NULL, \
                                  fake_fixture_setup, fn, fake_fixture_teardown)
  g_test_add_func ("/advertisement/properties", test_defaults_and_properties);
  g_test_add_func ("/advertisement/error-messages", test_error_messages);
  ADD ("heart-monitor", test_heart_monitor);
  ADD ("all-fields", test_all_fields);
  ADD ("broadcast", test_broadcast);
  ADD ("get-all", test_get_all);
  ADD ("change-while-active", test_change_while_active);
  ADD ("change-refused", test_change_refused);
  ADD ("size-budget", test_size_budget);
  ADD ("invalid", test_invalid);
  ADD ("several", test_several);
  ADD ("same-path", test_same_path);
  ADD ("released", test_released);
  ADD ("bluez-restart", test_bluez_restart);
  ADD ("not-ready", test_not_ready);
  g_test_add ("/advertisement/experimental", FakeFixture, NULL,
              setup_experimental, test_experimental, fake_fixture_teardown);
  g_test_add ("/advertisement/extended-budget", FakeFixture, NULL,
              setup_extended, test_extended_budget, fake_fixture_teardown);
#undef ADD

  return g_test_run ();
}
