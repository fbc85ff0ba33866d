/* test-advertising-extended.c: advertising data longer than 31 bytes, as
 * far as the controller (MaxAdvLen of SupportedCapabilities) and bluetoothd
 * take it, against the fake BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"

#include <string.h>

#define MGMT_ADV_FLAG_SEC_1M (1u << 7)

/* bluetoothd 5.82 on a controller with extended advertising (251 bytes),
 * and on one without (31). */
static const char * const ext_251_args[] = {
  "--bluez", "5.82", "--adv-mgmt", "extended", "--max-adv-len", "251", NULL
};
static const char * const ext_31_args[] = {
  "--bluez", "5.82", "--adv-mgmt", "extended", NULL
};
/* bluetoothd 5.66 -E: it publishes MaxAdvLen, but builds 31 bytes at most. */
static const char * const old_e_args[] = {
  "--bluez", "5.66", "--experimental", "--adv-mgmt", "extended", "--max-adv-len", "251", NULL
};
/* bluetoothd 5.66 without -E: no SupportedCapabilities. */
static const char * const old_args[] = {
  "--bluez", "5.66", "--adv-mgmt", "extended", "--max-adv-len", "251", NULL
};

static void
setup (FakeFixture   *fx,
       gconstpointer  data)
{
  fake_fixture_setup_with_args (fx, data);
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

/* A discoverable peripheral with @n bytes of manufacturer data (and
 * 4 bytes of header: @n + 4 bytes of fields, and 3 of Flags). */
static GpAdvertisement *
long_advertisement (FakeFixture *fx,
                    const char  *path,
                    gsize        n)
{
  GpAdvertisement *adv = gp_advertisement_new_for_connection (fx->conn, path);
  g_autofree guint8 *buf = g_malloc (n);
  g_autoptr(GBytes) bytes = NULL;

  memset (buf, 0xa5, n);
  bytes = g_bytes_new (buf, n);
  gp_advertisement_set_discoverable (adv, TRUE);
  gp_advertisement_set_manufacturer_data (adv, 0xffff, bytes);
  return adv;
}

/* A 60-byte advertisement registers where the controller takes 251 bytes,
 * goes out as extended PDUs, its name in the advertising data. */
static void
test_long_accepted (FakeFixture   *fx,
                    gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = long_advertisement (fx, "/test/adv", 56);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GVariant) air = NULL;
  g_autoptr(GVariant) scan = NULL;
  guint32 mgmt_flags = 0;
  const guint8 *bytes;
  gsize len;

  gp_advertisement_set_local_name (adv, "Heart");
  g_assert_cmpuint (gp_advertisement_get_data_length (adv), ==, 60 + 3);
  start (adv, &error);
  g_assert_no_error (error);
  g_assert_true (gp_advertisement_get_registered (adv));

  entry = fake_advertisement (fx, "/test/adv");
  g_assert_nonnull (entry);
  g_assert_true (g_variant_lookup (entry, "mgmt-flags", "u", &mgmt_flags));
  g_assert_cmpuint (mgmt_flags & MGMT_ADV_FLAG_SEC_1M, !=, 0);
  air = g_variant_lookup_value (entry, "adv-data", G_VARIANT_TYPE_BYTESTRING);
  bytes = g_variant_get_fixed_array (air, &len, 1);
  /* Flags 3, ManufacturerData 60, LocalName 7. */
  g_assert_cmpuint (len, ==, 3 + 60 + 7);
  g_assert_nonnull (memmem (bytes, len, "\x06\x09Heart", 7));
  scan = g_variant_lookup_value (entry, "scan-rsp", G_VARIANT_TYPE_BYTESTRING);
  g_assert_cmpuint (g_variant_get_size (scan), ==, 0);
}

/* The largest data the kernel takes fits; one byte more is refused with
 * the limit and where it comes from. */
static void
test_limit_exactly (FakeFixture   *fx,
                    gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = long_advertisement (fx, "/test/adv", 244);  /* 3 + 4 + 244 = 251 */
  g_autoptr(GpAdvertisement) over = long_advertisement (fx, "/test/over", 245);
  g_autoptr(GError) error = NULL;

  start (adv, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 1);
  g_assert_true (gp_advertisement_get_registered (adv));

  g_assert_false (start (over, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "the controller takes 251 bytes (extended "
                                            "advertising; MaxAdvLen"));
  g_assert_nonnull (strstr (error->message, ": 1 bytes too many"));
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 1);
}

/* Where the controller takes 31 bytes, the library refuses the 60-byte
 * advertisement before BlueZ sees it, and says why. */
static void
test_long_refused (FakeFixture   *fx,
                   gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = long_advertisement (fx, "/test/adv", 56);
  g_autoptr(GError) error = NULL;

  g_assert_false (start (adv, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "takes 63 bytes (ManufacturerData[0xffff] 60, "
                                            "Flags (discoverable) 3)"));
  if (data == ext_31_args)
    g_assert_nonnull (strstr (error->message, "the controller takes 31 bytes (legacy "
                                              "advertising; MaxAdvLen in bluetoothd's "
                                              "SupportedCapabilities)"));
  else
    g_assert_nonnull (strstr (error->message, "bluetoothd takes 31 bytes (legacy advertising: "
                                              "it publishes no MaxAdvLen"));
  g_assert_nonnull (strstr (error->message, ": 32 bytes too many"));
  g_assert_false (gp_advertisement_get_registered (adv));
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 0);
}

/* bluetoothd 5.66 -E publishes the controller's 251 bytes but builds 31
 * at most: its refusal is explained. */
static void
test_old_bluetoothd (FakeFixture   *fx,
                     gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = long_advertisement (fx, "/test/adv", 56);
  g_autoptr(GError) error = NULL;

  g_assert_false (start (adv, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "the controller takes 251 bytes, but bluetoothd "
                                            "before BlueZ 5.69 builds at most 31"));
  g_assert_cmpuint (fake_advertisement_count (fx), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/advertising-extended/long-accepted", FakeFixture, ext_251_args,
              setup, test_long_accepted, fake_fixture_teardown);
  g_test_add ("/advertising-extended/limit-exactly", FakeFixture, ext_251_args,
              setup, test_limit_exactly, fake_fixture_teardown);
  g_test_add ("/advertising-extended/long-refused", FakeFixture, ext_31_args,
              setup, test_long_refused, fake_fixture_teardown);
  g_test_add ("/advertising-extended/long-refused-no-capabilities", FakeFixture, old_args,
              setup, test_long_refused, fake_fixture_teardown);
  g_test_add ("/advertising-extended/old-bluetoothd", FakeFixture, old_e_args,
              setup, test_old_bluetoothd, fake_fixture_teardown);
  return g_test_run ();
}
