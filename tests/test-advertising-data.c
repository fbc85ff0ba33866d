/* test-advertising-data.c: the advertising data as bluetoothd counts it,
 * and the checks BlueZ makes (pure functions, no bus)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-advertising-data-private.h"

#include <string.h>

/* A peripheral, discoverable advert with nothing in it. */
static void
ad_init (GpAdvertisingData *ad)
{
  *ad = (GpAdvertisingData) {
    .peripheral = TRUE,
    .discoverable = TRUE,
    .tx_power = GP_ADVERTISEMENT_TX_POWER_NONE,
    .manufacturer_data = g_ptr_array_new_with_free_func (gp_advertising_data_entry_free),
    .service_data = g_ptr_array_new_with_free_func (gp_advertising_data_entry_free),
    .data = g_ptr_array_new_with_free_func (gp_advertising_data_entry_free),
  };
}

static void
ad_clear (GpAdvertisingData *ad)
{
  g_ptr_array_unref (ad->manufacturer_data);
  g_ptr_array_unref (ad->service_data);
  g_ptr_array_unref (ad->data);
}

static void
add (GPtrArray  *entries,
     guint       key,
     const char *uuid,
     gsize       n_bytes)
{
  g_autofree guint8 *buf = g_malloc0 (MAX (n_bytes, 1));
  g_autoptr(GBytes) bytes = g_bytes_new (buf, n_bytes);

  g_assert_true (gp_advertising_data_entry_set (entries, key, uuid, bytes));
}

/* The length without the 3 bytes of Flags of a discoverable peripheral. */
static guint
fields_length (GpAdvertisingData *ad)
{
  ad->peripheral = FALSE;
  return gp_advertising_data_get_length (ad);
}

static void
test_uuid_sizes (void)
{
  guint size = 0;
  g_autofree char *u16 = gp_advertising_data_uuid_for_bluez ("180D", &size);
  g_autofree char *u32 = NULL;
  g_autofree char *u128 = NULL;
  g_autofree char *u16_long = NULL;
  g_autofree char *bad = NULL;

  g_assert_cmpstr (u16, ==, "180d");
  g_assert_cmpuint (size, ==, 2);
  u32 = gp_advertising_data_uuid_for_bluez ("1234abcd", &size);
  g_assert_cmpstr (u32, ==, "1234abcd");
  g_assert_cmpuint (size, ==, 4);
  u128 = gp_advertising_data_uuid_for_bluez ("6E400001-B5A3-F393-E0A9-E50E24DCCA9E", &size);
  g_assert_cmpstr (u128, ==, "6e400001-b5a3-f393-e0a9-e50e24dcca9e");
  g_assert_cmpuint (size, ==, 16);
  /* A 16-bit UUID in the 128-bit form of the Bluetooth base takes 2 bytes. */
  u16_long = gp_advertising_data_uuid_for_bluez ("0000180d-0000-1000-8000-00805f9b34fb", &size);
  g_assert_cmpstr (u16_long, ==, "180d");
  g_assert_cmpuint (size, ==, 2);
  bad = gp_advertising_data_uuid_for_bluez ("heart", &size);
  g_assert_null (bad);
}

static void
test_uuid_lists (void)
{
  const char * const none[] = { NULL };
  const char * const one16[] = { "180d", NULL };
  const char * const two16[] = { "180d", "180f", NULL };
  const char * const one32[] = { "1234abcd", NULL };
  const char * const two128[] = { "6e400001-b5a3-f393-e0a9-e50e24dcca9e",
                                  "6e400002-b5a3-f393-e0a9-e50e24dcca9e", NULL };
  const char * const mixed[] = { "180d", "1234abcd", "6e400001-b5a3-f393-e0a9-e50e24dcca9e",
                                 "180f", NULL };
  const char * const with_bad[] = { "180d", "nope", NULL };

  g_assert_cmpuint (gp_advertising_data_uuid_list_length (NULL), ==, 0);
  g_assert_cmpuint (gp_advertising_data_uuid_list_length (none), ==, 0);
  g_assert_cmpuint (gp_advertising_data_uuid_list_length (one16), ==, 2 + 2);
  g_assert_cmpuint (gp_advertising_data_uuid_list_length (two16), ==, 2 + 2 * 2);
  g_assert_cmpuint (gp_advertising_data_uuid_list_length (one32), ==, 2 + 4);
  g_assert_cmpuint (gp_advertising_data_uuid_list_length (two128), ==, 2 + 2 * 16);
  /* One field per size: 16-bit (2 + 4), 32-bit (2 + 4), 128-bit (2 + 16). */
  g_assert_cmpuint (gp_advertising_data_uuid_list_length (mixed), ==, 6 + 6 + 18);
  /* Malformed UUIDs are the check's business, not the length's. */
  g_assert_cmpuint (gp_advertising_data_uuid_list_length (with_bad), ==, 4);
}

static void
test_field_sizes (void)
{
  const char * const uuids[] = { "180d", "180f", NULL };
  GpAdvertisingData ad;

  ad_init (&ad);
  g_assert_cmpuint (fields_length (&ad), ==, 0);

  ad.service_uuids = uuids;
  g_assert_cmpuint (fields_length (&ad), ==, 6);
  ad.service_uuids = NULL;

  ad.solicit_uuids = uuids;
  g_assert_cmpuint (fields_length (&ad), ==, 6);
  ad.solicit_uuids = NULL;

  add (ad.manufacturer_data, 0xffff, NULL, 5);
  g_assert_cmpuint (fields_length (&ad), ==, 4 + 5);
  add (ad.manufacturer_data, 0x004c, NULL, 0);
  g_assert_cmpuint (fields_length (&ad), ==, 4 + 5 + 4);
  g_ptr_array_set_size (ad.manufacturer_data, 0);

  add (ad.service_data, 0, "180d", 3);
  g_assert_cmpuint (fields_length (&ad), ==, 2 + 2 + 3);
  add (ad.service_data, 0, "1234abcd", 1);
  g_assert_cmpuint (fields_length (&ad), ==, 7 + 2 + 4 + 1);
  add (ad.service_data, 0, "6e400001-b5a3-f393-e0a9-e50e24dcca9e", 0);
  g_assert_cmpuint (fields_length (&ad), ==, 14 + 2 + 16);
  g_ptr_array_set_size (ad.service_data, 0);

  ad.has_appearance = TRUE;
  g_assert_cmpuint (fields_length (&ad), ==, 4);
  ad.has_appearance = FALSE;
  ad.includes = GP_ADVERTISEMENT_INCLUDES_APPEARANCE;
  g_assert_cmpuint (fields_length (&ad), ==, 4);
  /* TX power and the local name are not counted in the data itself. */
  ad.includes = GP_ADVERTISEMENT_INCLUDES_TX_POWER | GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME;
  ad.local_name = "A rather long local name";
  g_assert_cmpuint (fields_length (&ad), ==, 0);
  ad.includes = 0;

  add (ad.data, 0x26, NULL, 7);
  g_assert_cmpuint (fields_length (&ad), ==, 2 + 7);
  g_ptr_array_set_size (ad.data, 0);

  /* Flags: only a discoverable peripheral advert carries them. */
  ad.peripheral = TRUE;
  ad.discoverable = TRUE;
  g_assert_cmpuint (gp_advertising_data_get_length (&ad), ==, 3);
  ad.discoverable = FALSE;
  g_assert_cmpuint (gp_advertising_data_get_length (&ad), ==, 0);
  ad.peripheral = FALSE;
  ad.discoverable = TRUE;
  g_assert_cmpuint (gp_advertising_data_get_length (&ad), ==, 0);

  ad_clear (&ad);
}

static guint
budget_of (const GpAdvertisingData *ad)
{
  GpAdvertisingBudget b;
  guint budget;

  gp_advertising_data_compute_budget (ad, &b);
  budget = b.budget;
  gp_advertising_budget_clear (&b);
  return budget;
}

static void
test_budget (void)
{
  GpAdvertisingData ad;

  ad_init (&ad);
  g_assert_cmpuint (budget_of (&ad), ==, 31);

  ad.includes = GP_ADVERTISEMENT_INCLUDES_TX_POWER;
  g_assert_cmpuint (budget_of (&ad), ==, 28);
  /* A peripheral that is not discoverable itself keeps 3 bytes for the
   * Flags the kernel adds. */
  ad.discoverable = FALSE;
  g_assert_cmpuint (budget_of (&ad), ==, 25);
  ad.peripheral = FALSE;
  g_assert_cmpuint (budget_of (&ad), ==, 28);
  ad.peripheral = TRUE;
  ad.discoverable = TRUE;

  /* Includes appearance is counted twice on the legacy path only. */
  ad.includes = GP_ADVERTISEMENT_INCLUDES_APPEARANCE;
  g_assert_cmpuint (budget_of (&ad), ==, 27);
  ad.extended = TRUE;
  g_assert_cmpuint (budget_of (&ad), ==, 31);
  ad.extended = FALSE;
  ad.includes = 0;
  ad.has_appearance = TRUE;
  g_assert_cmpuint (budget_of (&ad), ==, 31);

  /* The local name goes in the scan response. */
  ad.has_appearance = FALSE;
  ad.includes = GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME;
  g_assert_cmpuint (budget_of (&ad), ==, 31);

  ad_clear (&ad);
}

static void
test_fits_exactly (void)
{
  GpAdvertisingData ad;
  g_autoptr(GError) error = NULL;

  /* Flags 3 + ManufacturerData 4 + 24 = 31: fits. */
  ad_init (&ad);
  add (ad.manufacturer_data, 0xffff, NULL, 24);
  g_assert_cmpuint (gp_advertising_data_get_length (&ad), ==, 31);
  g_assert_true (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_no_error (error);

  /* One more byte does not. */
  add (ad.manufacturer_data, 0x004c, NULL, 0);
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "/adv"));
  g_assert_nonnull (strstr (error->message, "takes 35 bytes"));
  g_assert_nonnull (strstr (error->message, "ManufacturerData[0xffff] 28"));
  g_assert_nonnull (strstr (error->message, "ManufacturerData[0x004c] 4"));
  g_assert_nonnull (strstr (error->message, "Flags (discoverable) 3"));
  g_assert_nonnull (strstr (error->message, "leaves 31 bytes"));
  g_assert_nonnull (strstr (error->message, ": 4 bytes too many"));
  ad_clear (&ad);
}

static void
test_overflow_messages (void)
{
  const char * const uuids[] = { "6e400001-b5a3-f393-e0a9-e50e24dcca9e", NULL };
  GpAdvertisingData ad;
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;

  /* ServiceUUIDs 18 + Appearance 4 + Flags 3 = 25, with tx-power
   * (−3) and Includes appearance on the legacy path (−4): 24. */
  ad_init (&ad);
  ad.service_uuids = uuids;
  ad.includes = GP_ADVERTISEMENT_INCLUDES_APPEARANCE | GP_ADVERTISEMENT_INCLUDES_TX_POWER;
  g_assert_false (gp_advertising_data_check (&ad, "/hrm", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "ServiceUUIDs 18, Appearance 4, Flags (discoverable) 3"));
  g_assert_nonnull (strstr (error->message, "legacy MGMT path leaves 24 bytes"));
  g_assert_nonnull (strstr (error->message, "− 3 for Includes tx-power"));
  g_assert_nonnull (strstr (error->message, "− 4 more for Includes appearance"));
  g_assert_nonnull (strstr (error->message, ": 1 bytes too many"));
  g_clear_error (&error);

  described = gp_advertising_data_describe (&ad);
  g_assert_cmpstr (described, ==,
                   "25 bytes of advertising data: ServiceUUIDs 18, Appearance 4, "
                   "Flags (discoverable) 3");

  /* The extended path does not count the appearance twice. */
  ad.extended = TRUE;
  g_assert_true (gp_advertising_data_check (&ad, "/hrm", &error));
  g_assert_no_error (error);

  /* ... but the kernel leaves the scan response 4 bytes less next to it. */
  ad.local_name = "A name of twenty-six bytes";
  g_assert_cmpuint (strlen (ad.local_name), ==, 26);
  g_assert_false (gp_advertising_data_check (&ad, "/hrm", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "scan response takes 28 bytes"));
  g_assert_nonnull (strstr (error->message, ": 1 bytes too many"));
  g_clear_error (&error);
  ad.local_name = "A name of 25 bytes, fits.";
  g_assert_cmpuint (strlen (ad.local_name), ==, 25);
  g_assert_true (gp_advertising_data_check (&ad, "/hrm", &error));
  g_assert_no_error (error);

  ad_clear (&ad);

  /* Service data named by the UUID BlueZ sees. */
  ad_init (&ad);
  add (ad.service_data, 0, "0000180D-0000-1000-8000-00805F9B34FB", 25);
  g_assert_false (gp_advertising_data_check (&ad, "/sd", &error));
  g_assert_nonnull (strstr (error->message, "ServiceData[180d] 29"));
  g_assert_nonnull (strstr (error->message, ": 1 bytes too many"));
  g_clear_error (&error);
  ad_clear (&ad);

  /* Raw data named by its AD type. */
  ad_init (&ad);
  add (ad.data, 0x2c, NULL, 27);
  g_assert_false (gp_advertising_data_check (&ad, "/data", &error));
  g_assert_nonnull (strstr (error->message, "Data[0x2c] 29"));
  g_assert_nonnull (strstr (error->message, ": 1 bytes too many"));
  ad_clear (&ad);
}

/* The budget starts from the controller's limit (MaxAdvLen of
 * SupportedCapabilities), and the error says where the limit comes from. */
static void
test_larger_limit (void)
{
  GpAdvertisingData ad;
  g_autoptr(GError) error = NULL;
  GpAdvertisingBudget b;

  /* ManufacturerData 4 + 56 + Flags 3 = 63 bytes. */
  ad_init (&ad);
  add (ad.manufacturer_data, 0xffff, NULL, 56);
  g_assert_cmpuint (gp_advertising_data_get_length (&ad), ==, 63);

  /* bluetoothd publishes no MaxAdvLen (5.66 without -E): 31 bytes. */
  ad.extended = TRUE;
  g_assert_false (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "takes 63 bytes (ManufacturerData[0xffff] 60, "
                                            "Flags (discoverable) 3)"));
  g_assert_nonnull (strstr (error->message, "bluetoothd takes 31 bytes (legacy advertising: it "
                                            "publishes no MaxAdvLen"));
  g_assert_nonnull (strstr (error->message, ": 32 bytes too many"));
  g_clear_error (&error);

  /* A controller without extended advertising says 31. */
  ad.max_adv_len = ad.max_scan_rsp_len = 31;
  g_assert_false (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_nonnull (strstr (error->message, "the controller takes 31 bytes (legacy advertising; "
                                            "MaxAdvLen in bluetoothd's SupportedCapabilities)"));
  g_assert_nonnull (strstr (error->message, ": 32 bytes too many"));
  g_clear_error (&error);

  /* One with extended advertising takes 251. */
  ad.max_adv_len = ad.max_scan_rsp_len = 251;
  g_assert_true (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (budget_of (&ad), ==, 251);
  ad.includes = GP_ADVERTISEMENT_INCLUDES_TX_POWER;
  g_assert_cmpuint (budget_of (&ad), ==, 248);
  ad.includes = 0;

  /* The kernel leaves Flags and tx-power room in the larger limit too:
   * 4 + 244 + Flags 3 = 251 fits, one byte more does not. */
  g_ptr_array_set_size (ad.manufacturer_data, 0);
  add (ad.manufacturer_data, 0xffff, NULL, 244);
  g_assert_true (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_no_error (error);
  ad.includes = GP_ADVERTISEMENT_INCLUDES_TX_POWER;
  g_assert_false (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH);
  g_assert_nonnull (strstr (error->message, "the controller takes 251 bytes (extended "
                                            "advertising; MaxAdvLen"));
  g_assert_nonnull (strstr (error->message, "leaves 248 bytes (251 − 3 for Includes tx-power)"));
  g_assert_nonnull (strstr (error->message, ": 3 bytes too many"));
  g_clear_error (&error);
  ad.includes = 0;

  /* Data over 31 bytes goes out as extended PDUs (bluetoothd 5.76 and
   * later): a connectable advert has no scan response, its local name
   * is in the advertising data. */
  g_ptr_array_set_size (ad.manufacturer_data, 0);
  add (ad.manufacturer_data, 0xffff, NULL, 56);
  ad.local_name = "Heart";
  gp_advertising_data_compute_budget (&ad, &b);
  g_assert_true (b.extended_pdus);
  g_assert_cmpuint (b.adv_len, ==, 63 + 7);
  g_assert_nonnull (strstr (b.fields->str, "LocalName (no scan response with extended "
                                           "advertising PDUs) 7"));
  gp_advertising_budget_clear (&b);
  /* bt_ad_generate() shortens the name to what is left. */
  ad.local_name = "A local name longer than what is left of the two hundred and fifty-one bytes "
                  "that the controller takes, after sixty bytes of manufacturer data: it is "
                  "shortened, and the advertisement does not fit the kernel's budget for it";
  gp_advertising_data_compute_budget (&ad, &b);
  g_assert_cmpuint (b.adv_len, ==, 251 + 3);
  gp_advertising_budget_clear (&b);
  g_assert_false (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_nonnull (strstr (error->message, ": 3 bytes too many"));
  g_clear_error (&error);

  /* Short data stays legacy: the name is in the scan response, whose
   * limit is MaxScnRspLen (4 bytes less next to Includes appearance). */
  g_ptr_array_set_size (ad.manufacturer_data, 0);
  ad.local_name = "A name of twenty-six bytes";
  ad.includes = GP_ADVERTISEMENT_INCLUDES_APPEARANCE;
  gp_advertising_data_compute_budget (&ad, &b);
  g_assert_false (b.extended_pdus);
  g_assert_cmpuint (b.adv_len, ==, 4 + 3);
  gp_advertising_budget_clear (&b);
  g_assert_true (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_no_error (error);
  ad.max_scan_rsp_len = 31;
  g_assert_false (gp_advertising_data_check (&ad, "/long", &error));
  g_assert_nonnull (strstr (error->message, "scan response takes 28 bytes (LocalName) but the "
                                            "controller takes 31 bytes of scan response "
                                            "(MaxScnRspLen in SupportedCapabilities)"));
  g_clear_error (&error);

  /* A secondary channel makes extended PDUs whatever the length. */
  ad.includes = 0;
  ad.local_name = "Heart";
  ad.secondary = TRUE;
  g_assert_cmpuint (gp_advertising_data_get_length (&ad), ==, 3 + 7);
  ad.peripheral = FALSE;
  g_assert_cmpuint (gp_advertising_data_get_length (&ad), ==, 0);

  ad_clear (&ad);
}

static void
test_rejected_types (void)
{
  const guint8 rejected[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                              0x0d, 0x12, 0x14, 0x15, 0x16, 0x19, 0x1f, 0x20, 0x21, 0x23,
                              0x27, 0x2b, 0x3d, 0xff };
  const guint8 accepted[] = { 0x00, 0x0b, 0x0c, 0x13, 0x24, 0x25, 0x26, 0x2c, 0x2d, 0x3c,
                              0x3e, 0xfe };

  for (guint i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_test_message ("type 0x%02x", rejected[i]);
      g_assert_nonnull (gp_advertising_data_rejected_type (rejected[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_test_message ("type 0x%02x", accepted[i]);
      g_assert_null (gp_advertising_data_rejected_type (accepted[i]));
    }
  g_assert_nonnull (strstr (gp_advertising_data_rejected_type (0x09), "local-name"));
  g_assert_nonnull (strstr (gp_advertising_data_rejected_type (0x19), "appearance"));
  g_assert_nonnull (strstr (gp_advertising_data_rejected_type (0xff), "manufacturer_data"));
  g_assert_nonnull (strstr (gp_advertising_data_rejected_type (0x16), "service_data"));
  g_assert_nonnull (strstr (gp_advertising_data_rejected_type (0x01), "discoverable"));
}

static void
test_check_rejected_type (void)
{
  GpAdvertisingData ad;
  g_autoptr(GError) error = NULL;

  ad_init (&ad);
  add (ad.data, 0x26, NULL, 2);
  g_assert_true (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_no_error (error);
  add (ad.data, 0x09, NULL, 2);
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "AD type 0x09"));
  g_assert_nonnull (strstr (error->message, "local-name property"));
  ad_clear (&ad);
}

static void
test_check_uuids (void)
{
  const char * const good[] = { "180d", "1234ABCD", "6e400001-b5a3-f393-e0a9-e50e24dcca9e", NULL };
  const char * const bad[] = { "180d", "18 0d", NULL };
  GpAdvertisingData ad;
  g_autoptr(GError) error = NULL;

  g_assert_true (gp_advertising_data_check_uuids (NULL, "service-uuids", &error));
  g_assert_true (gp_advertising_data_check_uuids (good, "service-uuids", &error));
  g_assert_no_error (error);
  g_assert_false (gp_advertising_data_check_uuids (bad, "solicit-uuids", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "solicit-uuids"));
  g_assert_nonnull (strstr (error->message, "“18 0d”"));
  g_clear_error (&error);

  ad_init (&ad);
  ad.service_uuids = bad;
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "service-uuids"));
  g_clear_error (&error);
  ad.service_uuids = NULL;
  add (ad.service_data, 0, "not-a-uuid", 1);
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_assert_nonnull (strstr (error->message, "Service data: “not-a-uuid”"));
  ad_clear (&ad);
}

static void
test_check_conflicts_and_ranges (void)
{
  GpAdvertisingData ad;
  g_autoptr(GError) error = NULL;

  ad_init (&ad);
  ad.local_name = "Name";
  ad.includes = GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME;
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_nonnull (strstr (error->message, "local-name conflicts"));
  g_clear_error (&error);
  ad.local_name = "";   /* no name: no conflict */
  g_assert_true (gp_advertising_data_check (&ad, "/adv", &error));
  ad.local_name = NULL;

  ad.includes = GP_ADVERTISEMENT_INCLUDES_APPEARANCE;
  ad.has_appearance = TRUE;
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_nonnull (strstr (error->message, "appearance conflicts"));
  g_clear_error (&error);
  ad.includes = 0;

  ad.discoverable_timeout = 30;
  ad.timeout = 10;
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_nonnull (strstr (error->message, "discoverable-timeout (30 s) is longer than timeout (10 s)"));
  g_clear_error (&error);
  ad.discoverable = FALSE;   /* the timeout only matters while discoverable */
  g_assert_true (gp_advertising_data_check (&ad, "/adv", &error));
  ad.discoverable = TRUE;
  ad.timeout = 30;
  g_assert_true (gp_advertising_data_check (&ad, "/adv", &error));

  ad.min_interval = 19;
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_nonnull (strstr (error->message, "got 19–19 ms"));
  g_clear_error (&error);
  ad.min_interval = 200;
  ad.max_interval = 100;
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_nonnull (strstr (error->message, "min-interval (200 ms) is larger than max-interval (100 ms)"));
  g_clear_error (&error);
  ad.max_interval = 0;   /* one of them: both the same */
  g_assert_true (gp_advertising_data_check (&ad, "/adv", &error));
  ad.min_interval = 0;

  ad.tx_power = 21;
  g_assert_false (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_nonnull (strstr (error->message, "got 21"));
  g_clear_error (&error);
  ad.tx_power = -127;
  g_assert_true (gp_advertising_data_check (&ad, "/adv", &error));
  g_assert_no_error (error);

  ad_clear (&ad);
}

static void
test_entries (void)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (gp_advertising_data_entry_free);
  g_autoptr(GBytes) a = g_bytes_new_static ("a", 1);
  g_autoptr(GBytes) a2 = g_bytes_new ("a", 1);
  g_autoptr(GBytes) b = g_bytes_new_static ("bb", 2);

  g_assert_true (gp_advertising_data_entry_set (entries, 1, NULL, a));
  g_assert_false (gp_advertising_data_entry_set (entries, 1, NULL, a2));   /* same content */
  g_assert_true (gp_advertising_data_entry_set (entries, 1, NULL, b));
  g_assert_true (gp_advertising_data_entry_find (entries, 1, NULL)->data == b);
  g_assert_true (gp_advertising_data_entry_set (entries, 0, "180d", a));
  g_assert_true (gp_advertising_data_entry_find (entries, 0, "180d")->data == a);
  g_assert_null (gp_advertising_data_entry_find (entries, 2, NULL));
  g_assert_false (gp_advertising_data_entry_set (entries, 2, NULL, NULL));
  g_assert_true (gp_advertising_data_entry_set (entries, 1, NULL, NULL));
  g_assert_null (gp_advertising_data_entry_find (entries, 1, NULL));
  g_assert_cmpuint (entries->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/advertising-data/uuid-sizes", test_uuid_sizes);
  g_test_add_func ("/advertising-data/uuid-lists", test_uuid_lists);
  g_test_add_func ("/advertising-data/field-sizes", test_field_sizes);
  g_test_add_func ("/advertising-data/budget", test_budget);
  g_test_add_func ("/advertising-data/fits-exactly", test_fits_exactly);
  g_test_add_func ("/advertising-data/overflow-messages", test_overflow_messages);
  g_test_add_func ("/advertising-data/larger-limit", test_larger_limit);
  g_test_add_func ("/advertising-data/rejected-types", test_rejected_types);
  g_test_add_func ("/advertising-data/check-rejected-type", test_check_rejected_type);
  g_test_add_func ("/advertising-data/check-uuids", test_check_uuids);
  g_test_add_func ("/advertising-data/conflicts-and-ranges", test_check_conflicts_and_ranges);
  g_test_add_func ("/advertising-data/entries", test_entries);

  return g_test_run ();
}
