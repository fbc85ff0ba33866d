/* test-model.c: the object model without a bus: UUIDs, errors, flags,
 * tree rules and bad input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gattperiph.h>
#include "gp-characteristic-private.h"
#include "gp-dbus-util-private.h"

#include <string.h>

static void
test_uuid_forms (void)
{
  struct { const char *in; const char *out; } ok[] = {
    { "180d", "0000180d-0000-1000-8000-00805f9b34fb" },
    { "180D", "0000180d-0000-1000-8000-00805f9b34fb" },
    { "0x2A37", "00002a37-0000-1000-8000-00805f9b34fb" },
    { "0000180d", "0000180d-0000-1000-8000-00805f9b34fb" },
    { "ABCDEF01", "abcdef01-0000-1000-8000-00805f9b34fb" },
    { "12345678-1234-5678-1234-56789ABCDEF0", "12345678-1234-5678-1234-56789abcdef0" },
  };
  const char *bad[] = { "", "18", "180", "1800d", "xyz1", "0x", "0x12345678-1234-5678-1234-56789abcdef0",
                        "12345678123456781234567812345678", "12345678-1234-5678-1234-56789abcdef",
                        "12345678-1234-5678-1234+56789abcdef0", "g000", " 180d" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *n = gp_uuid_normalize (ok[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (n, ==, ok[i].out);
      g_assert_true (gp_uuid_is_valid (ok[i].in));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *n = gp_uuid_normalize (bad[i], &error);

      g_assert_null (n);
      g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_false (gp_uuid_is_valid (bad[i]));
    }
}

static void
test_error_names (void)
{
  struct { GpError code; const char *name; } names[] = {
    { GP_ERROR_FAILED, "org.bluez.Error.Failed" },
    { GP_ERROR_IN_PROGRESS, "org.bluez.Error.InProgress" },
    { GP_ERROR_NOT_PERMITTED, "org.bluez.Error.NotPermitted" },
    { GP_ERROR_NOT_AUTHORIZED, "org.bluez.Error.NotAuthorized" },
    { GP_ERROR_INVALID_OFFSET, "org.bluez.Error.InvalidOffset" },
    { GP_ERROR_INVALID_VALUE_LENGTH, "org.bluez.Error.InvalidValueLength" },
    { GP_ERROR_NOT_SUPPORTED, "org.bluez.Error.NotSupported" },
    { GP_ERROR_INVALID_ARGUMENTS, "org.bluez.Error.InvalidArguments" },
    { GP_ERROR_ALREADY_EXISTS, "org.bluez.Error.AlreadyExists" },
    { GP_ERROR_DOES_NOT_EXIST, "org.bluez.Error.DoesNotExist" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (GP_ERROR, names[i].code, "x");
      g_autofree char *name = g_dbus_error_encode_gerror (error);
      g_autoptr(GError) back = g_dbus_error_new_for_dbus_error (names[i].name, "msg");

      g_assert_cmpstr (name, ==, names[i].name);
      g_assert_error (back, GP_ERROR, (gint) names[i].code);
    }
}

static void
test_error_att_codes (void)
{
  struct { GpError code; const char *msg; gboolean write; guint8 att; } table[] = {
    { GP_ERROR_FAILED, "Something broke", FALSE, 0x80 },
    { GP_ERROR_FAILED, "0x80", FALSE, 0x80 },
    { GP_ERROR_FAILED, "0x85", TRUE, 0x85 },
    { GP_ERROR_FAILED, "0x9f", FALSE, 0x9f },
    { GP_ERROR_FAILED, "128", FALSE, 0x80 },
    { GP_ERROR_FAILED, "0xa0", FALSE, 0x0e },
    { GP_ERROR_FAILED, "0x7f", FALSE, 0x0e },
    { GP_ERROR_FAILED, "", FALSE, 0x0e },
    { GP_ERROR_NOT_SUPPORTED, "x", FALSE, 0x06 },
    { GP_ERROR_NOT_AUTHORIZED, "x", FALSE, 0x08 },
    { GP_ERROR_INVALID_VALUE_LENGTH, "x", TRUE, 0x0d },
    { GP_ERROR_INVALID_OFFSET, "x", FALSE, 0x07 },
    { GP_ERROR_IN_PROGRESS, "x", FALSE, 0xfe },
    { GP_ERROR_NOT_PERMITTED, "x", FALSE, 0x02 },
    { GP_ERROR_NOT_PERMITTED, "x", TRUE, 0x03 },
    { GP_ERROR_IMPROPERLY_CONFIGURED, "x", FALSE, 0x0e },
    { GP_ERROR_INVALID_ARGUMENTS, "x", FALSE, 0x0e },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (GP_ERROR, table[i].code, table[i].msg);

      g_assert_cmphex (gp_error_get_att_code (error, table[i].write), ==, table[i].att);
    }

  {
    g_autoptr(GError) foreign = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
    g_autoptr(GError) app = gp_error_new_att (0x91);

    g_assert_cmphex (gp_error_get_att_code (foreign, FALSE), ==, 0x0e);
    g_assert_error (app, GP_ERROR, GP_ERROR_FAILED);
    g_assert_cmpstr (app->message, ==, "0x91");
    g_assert_cmphex (gp_error_get_att_code (app, TRUE), ==, 0x91);
  }
}

static void
test_characteristic_flags_strings (void)
{
  /* Every flag bluetoothd 5.66's parse_chrc_flags() knows, in bit order. */
  const char *expected = "['broadcast', 'read', 'write-without-response', 'write', 'notify', "
    "'indicate', 'authenticated-signed-writes', 'extended-properties', 'reliable-write', "
    "'writable-auxiliaries', 'encrypt-read', 'encrypt-write', 'encrypt-authenticated-read', "
    "'encrypt-authenticated-write', 'secure-read', 'secure-write', 'authorize', 'encrypt-notify', "
    "'encrypt-authenticated-notify', 'secure-notify', 'encrypt-indicate', "
    "'encrypt-authenticated-indicate', 'secure-indicate']";
  g_autoptr(GVariant) all = g_variant_ref_sink (gp_characteristic_flags_to_variant ((1 << 23) - 1));
  g_autoptr(GVariant) some = g_variant_ref_sink (gp_characteristic_flags_to_variant (
    GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_SECURE_INDICATE));
  g_autofree char *all_s = g_variant_print (all, FALSE);
  g_autofree char *some_s = g_variant_print (some, FALSE);

  g_assert_cmpstr (all_s, ==, expected);
  g_assert_cmpstr (some_s, ==, "['read', 'secure-indicate']");
}

static void
test_characteristic_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpCharacteristic) c = NULL;
  g_autoptr(GpCharacteristic) bad = NULL;

  c = gp_characteristic_new ("2A37", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gp_attribute_get_uuid (GP_ATTRIBUTE (c)), ==, "00002a37-0000-1000-8000-00805f9b34fb");
  g_assert_cmpuint (gp_characteristic_get_flags (c), ==, GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY);
  g_assert_false (gp_characteristic_get_notifying (c));
  g_assert_null (gp_characteristic_get_service (c));
  g_assert_cmpuint (g_bytes_get_size (gp_attribute_get_value (GP_ATTRIBUTE (c))), ==, 0);

  bad = gp_characteristic_new ("not-a-uuid", GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_assert_null (bad);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);

  bad = gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_NONE, &error);
  g_assert_null (bad);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "no flags"));
  g_clear_error (&error);

  /* Built through properties (as bindings do) and added: still checked. */
  {
    g_autoptr(GpService) s = gp_service_new ("180d", TRUE, &error);
    g_autoptr(GpCharacteristic) raw = g_object_new (GP_TYPE_CHARACTERISTIC, "uuid", "zz",
                                                    "flags", GP_CHARACTERISTIC_FLAGS_READ, NULL);

    g_assert_false (gp_service_add_characteristic (s, raw, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
    g_clear_error (&error);
  }
}

static void
test_value (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpCharacteristic) c = gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (513), 513);
  g_autoptr(GBytes) max = g_bytes_new_take (g_malloc0 (512), 512);

  g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (c), (const guint8 *) "\x00\x48", 2, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (gp_attribute_get_value (GP_ATTRIBUTE (c)), NULL), 2, "\x00\x48", 2);

  g_assert_false (gp_attribute_set_value (GP_ATTRIBUTE (c), big, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_clear_error (&error);
  /* The old value stays. */
  g_assert_cmpuint (g_bytes_get_size (gp_attribute_get_value (GP_ATTRIBUTE (c))), ==, 2);

  g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (c), max, &error));
  g_assert_cmpuint (g_bytes_get_size (gp_attribute_get_value (GP_ATTRIBUTE (c))), ==, 512);
}

static void
test_write_at (void)
{
  g_autoptr(GBytes) old = g_bytes_new ("abcdef", 6);
  g_autoptr(GBytes) xy = g_bytes_new ("XY", 2);
  g_autoptr(GBytes) r0 = NULL, r4 = NULL, r6 = NULL, r7 = NULL, rbig = NULL;
  g_autoptr(GBytes) chunk = g_bytes_new_take (g_malloc0 (100), 100);
  g_autoptr(GBytes) full = g_bytes_new_take (g_malloc0 (500), 500);
  g_autoptr(GError) error = NULL;

  r0 = gp_bytes_write_at (old, 0, xy, &error);
  g_assert_cmpmem (g_bytes_get_data (r0, NULL), g_bytes_get_size (r0), "XY", 2);
  r4 = gp_bytes_write_at (old, 4, xy, &error);
  g_assert_cmpmem (g_bytes_get_data (r4, NULL), g_bytes_get_size (r4), "abcdXY", 6);
  r6 = gp_bytes_write_at (old, 6, xy, &error);
  g_assert_cmpmem (g_bytes_get_data (r6, NULL), g_bytes_get_size (r6), "abcdefXY", 8);
  r7 = gp_bytes_write_at (old, 7, xy, &error);
  g_assert_null (r7);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_OFFSET);
  g_clear_error (&error);
  rbig = gp_bytes_write_at (full, 500, chunk, &error);
  g_assert_null (rbig);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
}

static void
test_descriptor_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpDescriptor) d = NULL;
  g_autoptr(GpDescriptor) desc = NULL;

  d = gp_descriptor_new ("2902", GP_DESCRIPTOR_FLAGS_READ | GP_DESCRIPTOR_FLAGS_WRITE, &error);
  g_assert_null (d);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "0x2902"));
  g_clear_error (&error);

  d = gp_descriptor_new ("00002900-0000-1000-8000-00805F9B34FB", GP_DESCRIPTOR_FLAGS_READ, &error);
  g_assert_null (d);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);

  d = gp_descriptor_new ("2904", GP_DESCRIPTOR_FLAGS_NONE, &error);
  g_assert_null (d);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);

  desc = gp_descriptor_new_user_description ("Heart rate", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gp_attribute_get_uuid (GP_ATTRIBUTE (desc)), ==, "00002901-0000-1000-8000-00805f9b34fb");
  g_assert_cmpuint (gp_descriptor_get_flags (desc), ==, GP_DESCRIPTOR_FLAGS_READ);
  g_assert_cmpmem (g_bytes_get_data (gp_attribute_get_value (GP_ATTRIBUTE (desc)), NULL), 10, "Heart rate", 10);
}

static void
test_service_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpService) gap = gp_service_new ("1800", TRUE, &error);
  g_autoptr(GpService) gatt = NULL;
  g_autoptr(GpService) a = NULL, b = NULL, c = NULL;

  g_assert_null (gap);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "GAP"));
  g_clear_error (&error);
  gatt = gp_service_new ("0x1801", TRUE, &error);
  g_assert_null (gatt);
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);

  a = gp_service_new ("180d", TRUE, &error);
  b = gp_service_new ("180f", FALSE, &error);
  c = gp_service_new ("1810", FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (gp_service_get_primary (a));
  g_assert_false (gp_service_get_primary (b));

  g_assert_false (gp_service_add_include (a, a, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);
  g_assert_true (gp_service_add_include (a, b, &error));
  g_assert_true (gp_service_add_include (b, c, &error));
  g_assert_false (gp_service_add_include (c, a, &error));  /* a cycle */
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);
  g_assert_false (gp_service_add_include (a, b, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_true (gp_service_remove_include (b, c, &error));
  g_assert_false (gp_service_remove_include (b, c, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
  g_clear_error (&error);
  {
    g_autoptr(GList) inc = gp_service_get_includes (a);
    g_assert_cmpuint (g_list_length (inc), ==, 1);
    g_assert_true (inc->data == b);
  }
}

static void
test_tree_membership (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpApplication) app = gp_application_new ("/test/app");
  g_autoptr(GpApplication) app2 = gp_application_new ("/test/app2");
  g_autoptr(GpService) s1 = gp_service_new ("180d", TRUE, &error);
  g_autoptr(GpService) s2 = gp_service_new ("180a", TRUE, &error);
  g_autoptr(GpCharacteristic) c = gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_autoptr(GpDescriptor) d = gp_descriptor_new_user_description ("x", &error);
  g_autoptr(GpCharacteristic) c2 = gp_characteristic_new ("2a38", GP_CHARACTERISTIC_FLAGS_READ, &error);

  g_assert_true (gp_service_add_characteristic (s1, c, &error));
  g_assert_false (gp_service_add_characteristic (s2, c, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_false (gp_service_remove_characteristic (s2, c, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
  g_clear_error (&error);
  g_assert_true (gp_characteristic_add_descriptor (c, d, &error));
  g_assert_false (gp_characteristic_add_descriptor (c2, d, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_true (gp_descriptor_get_characteristic (d) == c);
  g_assert_true (gp_characteristic_get_service (c) == s1);

  g_assert_true (gp_application_add_service (app, s1, &error));
  g_assert_true (gp_application_add_service (app, s2, &error));
  g_assert_false (gp_application_add_service (app2, s1, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  {
    g_autoptr(GList) services = gp_application_get_services (app);
    g_assert_cmpuint (g_list_length (services), ==, 2);
    g_assert_true (services->data == s1);
    g_assert_true (services->next->data == s2);
  }
  g_assert_false (gp_application_remove_service (app2, s1, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
  g_clear_error (&error);

  /* A service that another includes cannot go first. */
  g_assert_true (gp_service_add_include (s1, s2, &error));
  g_assert_false (gp_application_remove_service (app, s2, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_true (gp_service_remove_include (s1, s2, &error));
  g_assert_true (gp_application_remove_service (app, s2, &error));
  {
    GpApplication *owner = NULL;
    g_object_get (s2, "application", &owner, NULL);
    g_assert_null (owner);
  }

  g_assert_true (gp_characteristic_remove_descriptor (c, d, &error));
  g_assert_null (gp_descriptor_get_characteristic (d));
  g_assert_false (gp_characteristic_remove_descriptor (c, d, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
  g_clear_error (&error);
}

static void
test_preconditions (void)
{
  g_autoptr(GError) error = NULL;

  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL, "*uuid != NULL*");
  g_assert_null (gp_characteristic_new (NULL, GP_CHARACTERISTIC_FLAGS_READ, &error));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL, "*GP_IS_SERVICE*");
  g_assert_false (gp_service_add_characteristic (NULL, NULL, &error));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL, "*g_variant_is_object_path*");
  g_assert_null (gp_application_new ("not a path"));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL, "*att_code >= *");
  g_assert_null (gp_error_new_att (0x12));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL, "*GP_IS_ATTRIBUTE*");
  g_assert_null (gp_attribute_get_uuid (NULL));
  g_test_assert_expected_messages ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/uuid/forms", test_uuid_forms);
  g_test_add_func ("/error/names", test_error_names);
  g_test_add_func ("/error/att-codes", test_error_att_codes);
  g_test_add_func ("/characteristic/flag-strings", test_characteristic_flags_strings);
  g_test_add_func ("/characteristic/new", test_characteristic_new);
  g_test_add_func ("/attribute/value", test_value);
  g_test_add_func ("/attribute/write-at", test_write_at);
  g_test_add_func ("/descriptor/rules", test_descriptor_rules);
  g_test_add_func ("/service/rules", test_service_rules);
  g_test_add_func ("/tree/membership", test_tree_membership);
  g_test_add_func ("/preconditions", test_preconditions);

  return g_test_run ();
}
