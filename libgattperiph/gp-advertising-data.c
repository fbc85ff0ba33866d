/* gp-advertising-data.c: the advertising data as bluetoothd builds it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure functions of a GpAdvertisingData (what an advertisement says): the
 * length of each field, the budget bluetoothd leaves the data, and the
 * checks BlueZ makes (UUIDs, AD types it refuses, conflicts, ranges), so
 * that an advertisement is refused before BlueZ sees it with an error that
 * says which field is wrong and by how many bytes. The limit is the
 * controller's (MaxAdvLen), 31 bytes where bluetoothd does not publish it.
 */

#include "gp-advertising-data-private.h"
#include "gp-uuid-private.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Entries                                                              */

void
gp_advertising_data_entry_free (gpointer entry)
{
  GpAdvertisingDataEntry *e = entry;

  g_free (e->uuid);
  g_bytes_unref (e->data);
  g_free (e);
}

GpAdvertisingDataEntry *
gp_advertising_data_entry_find (GPtrArray  *entries,
                                guint       key,
                                const char *uuid)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      GpAdvertisingDataEntry *e = g_ptr_array_index (entries, i);

      if (uuid != NULL ? g_strcmp0 (e->uuid, uuid) == 0 : e->key == key)
        return e;
    }
  return NULL;
}

/* Sets (or, with @data NULL, removes) an entry; TRUE if anything changed. */
gboolean
gp_advertising_data_entry_set (GPtrArray  *entries,
                               guint       key,
                               const char *uuid,
                               GBytes     *data)
{
  GpAdvertisingDataEntry *e = gp_advertising_data_entry_find (entries, key, uuid);

  if (data == NULL)
    return e != NULL && g_ptr_array_remove (entries, e);
  if (e != NULL)
    {
      if (g_bytes_equal (e->data, data))
        return FALSE;
      g_bytes_unref (e->data);
      e->data = g_bytes_ref (data);
      return TRUE;
    }
  e = g_new0 (GpAdvertisingDataEntry, 1);
  e->key = key;
  e->uuid = g_strdup (uuid);
  e->data = g_bytes_ref (data);
  g_ptr_array_add (entries, e);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* UUIDs as bluetoothd parses them (bt_string_to_uuid)                   */

/* The string to export for @uuid, and how many bytes it takes in the
 * advertising data (2, 4 or 16); NULL if it is not a UUID. */
char *
gp_advertising_data_uuid_for_bluez (const char *uuid,
                                    guint      *out_size)
{
  g_autofree char *normalized = gp_uuid_normalize (uuid, NULL);
  guint32 value;

  if (normalized == NULL)
    return NULL;
  if (gp_uuid_get_short (normalized, &value))
    {
      *out_size = value <= 0xffff ? 2 : 4;
      return value <= 0xffff ? g_strdup_printf ("%04x", value) : g_strdup_printf ("%08x", value);
    }
  *out_size = 16;
  return g_steal_pointer (&normalized);
}

/* A UUID list field takes, for each size present (16, 32 and 128 bits),
 * 2 bytes of header and the UUIDs of that size (bt_ad_generate() makes
 * one field per size). Malformed UUIDs do not count. */
guint
gp_advertising_data_uuid_list_length (const char * const *uuids)
{
  guint counts[3] = { 0, 0, 0 };
  guint length = 0;

  for (guint i = 0; uuids != NULL && uuids[i] != NULL; i++)
    {
      guint size;
      g_autofree char *u = gp_advertising_data_uuid_for_bluez (uuids[i], &size);

      if (u == NULL)
        continue;
      counts[size == 2 ? 0 : size == 4 ? 1 : 2]++;
      length += size;
    }
  for (guint i = 0; i < 3; i++)
    if (counts[i] > 0)
      length += 2;
  return length;
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */

/* AD types bluetoothd 5.66 refuses in Data (shared/ad.c
 * type_reject_list), and what to use instead; NULL if it takes it. */
const char *
gp_advertising_data_rejected_type (guint8 ad_type)
{
  if (ad_type == 0x01)
    return "Flags are set by BlueZ: use the discoverable property";
  if (ad_type >= 0x02 && ad_type <= 0x07)
    return "use the service-uuids property";
  if (ad_type == 0x08 || ad_type == 0x09)
    return "use the local-name property";
  if (ad_type == 0x0a)
    return "use the includes property (tx-power)";
  if (ad_type == 0x14 || ad_type == 0x15 || ad_type == 0x1f)
    return "use the solicit-uuids property";
  if (ad_type == 0x16 || ad_type == 0x20 || ad_type == 0x21)
    return "use gp_advertisement_set_service_data()";
  if (ad_type == 0x19)
    return "use the appearance property";
  if (ad_type == 0xff)
    return "use gp_advertisement_set_manufacturer_data()";
  if ((ad_type >= 0x0d && ad_type <= 0x12) || (ad_type >= 0x14 && ad_type <= 0x23) ||
      (ad_type >= 0x27 && ad_type <= 0x2b) || ad_type == 0x3d)
    return "BlueZ reserves this type";
  return NULL;
}

gboolean
gp_advertising_data_check_uuids (const char * const  *uuids,
                                 const char          *what,
                                 GError             **error)
{
  for (guint i = 0; uuids != NULL && uuids[i] != NULL; i++)
    if (!gp_uuid_is_valid (uuids[i]))
      {
        g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                     "%s: “%s” is not a Bluetooth UUID (use 4 or 8 hex digits, or the "
                     "128-bit form)", what, uuids[i]);
        return FALSE;
      }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The budget                                                           */

static void
add_field (GpAdvertisingBudget *b,
           const char          *name,
           guint                bytes)
{
  if (bytes == 0)
    return;
  if (b->fields->len > 0)
    g_string_append (b->fields, ", ");
  g_string_append_printf (b->fields, "%s %u", name, bytes);
  b->adv_len += bytes;
}

static guint
n_entries (GPtrArray *entries)
{
  return entries != NULL ? entries->len : 0;
}

static guint
data_fields_length (GPtrArray *entries)
{
  guint len = 0;

  for (guint i = 0; i < n_entries (entries); i++)
    len += 2 + g_bytes_get_size (((GpAdvertisingDataEntry *) g_ptr_array_index (entries, i))->data);
  return len;
}

/* The limit bluetoothd builds the data for (bt_ad_set_max_len() with the
 * manager's max_adv_len from 5.69 on), and where it comes from. */
static char *
describe_limit (const GpAdvertisingData *ad,
                guint                   *out_limit)
{
  *out_limit = ad->max_adv_len != 0 ? ad->max_adv_len : GP_ADVERTISING_DATA_MAX_LEN;
  if (ad->max_adv_len == 0)
    return g_strdup_printf ("bluetoothd takes %u bytes (legacy advertising: it publishes no "
                            "MaxAdvLen in SupportedCapabilities, as BlueZ 5.66 without -E)",
                            GP_ADVERTISING_DATA_MAX_LEN);
  return g_strdup_printf ("the controller takes %u bytes (%s advertising; MaxAdvLen in "
                          "bluetoothd's SupportedCapabilities)", *out_limit,
                          *out_limit > GP_ADVERTISING_DATA_MAX_LEN ? "extended" : "legacy");
}

/* Whether bluetoothd sends the advertisement as extended advertising PDUs:
 * with a secondary channel, or (bluetoothd 5.76 and later, get_adv_flags())
 * on the extended MGMT path when the data passes the legacy 31 bytes. A
 * connectable one then has no scan response: the local name goes in the
 * advertising data (generate_adv_data()). */
static gboolean
uses_extended_pdus (const GpAdvertisingData *ad,
                    guint                    raw_len)
{
  return ad->secondary || (ad->extended && raw_len > GP_ADVERTISING_DATA_MAX_LEN);
}

/* The advertising data as bt_ad_generate() of bluetoothd counts it, and
 * the budget advertising.c leaves it: calc_max_adv_len() on the legacy
 * MGMT path; on the extended one, the max_adv_data_len the kernel answers
 * to Add Extended Advertising Parameters (tlv_data_max_len()). Both start
 * from the controller's limit, MaxAdvLen of SupportedCapabilities (31 when
 * bluetoothd does not publish it). Peripheral adverts without their own
 * Flags always keep 3 bytes for the Flags the kernel adds while the adapter
 * is discoverable. Free @budget with gp_advertising_budget_clear(). */
void
gp_advertising_data_compute_budget (const GpAdvertisingData *ad,
                                    GpAdvertisingBudget     *b)
{
  guint raw_len;

  b->fields = g_string_new (NULL);
  b->budget_why = g_string_new (NULL);
  b->adv_len = 0;
  b->limit_why = describe_limit (ad, &b->limit);

  add_field (b, "ServiceUUIDs", gp_advertising_data_uuid_list_length (ad->service_uuids));
  add_field (b, "SolicitUUIDs", gp_advertising_data_uuid_list_length (ad->solicit_uuids));
  for (guint i = 0; i < n_entries (ad->manufacturer_data); i++)
    {
      GpAdvertisingDataEntry *e = g_ptr_array_index (ad->manufacturer_data, i);
      g_autofree char *name = g_strdup_printf ("ManufacturerData[0x%04x]", e->key);
      add_field (b, name, 4 + g_bytes_get_size (e->data));
    }
  for (guint i = 0; i < n_entries (ad->service_data); i++)
    {
      GpAdvertisingDataEntry *e = g_ptr_array_index (ad->service_data, i);
      guint size = 16;
      g_autofree char *u = gp_advertising_data_uuid_for_bluez (e->uuid, &size);
      g_autofree char *name = g_strdup_printf ("ServiceData[%s]", u != NULL ? u : e->uuid);
      add_field (b, name, 2 + size + g_bytes_get_size (e->data));
    }
  /* bt_ad_length() when get_adv_flags() looks: before the name and the
   * appearance are added. */
  raw_len = b->adv_len + data_fields_length (ad->data);
  b->extended_pdus = uses_extended_pdus (ad, raw_len);
  if (ad->peripheral && ad->local_name != NULL && ad->local_name[0] != '\0' &&
      b->extended_pdus)
    {
      /* bt_ad_generate() shortens the name to what is left. */
      guint name_len = 2 + strlen (ad->local_name);

      if (b->adv_len <= b->limit && name_len > b->limit - b->adv_len)
        name_len = b->limit - b->adv_len;
      add_field (b, "LocalName (no scan response with extended advertising PDUs)", name_len);
    }
  if (ad->has_appearance || (ad->includes & GP_ADVERTISEMENT_INCLUDES_APPEARANCE))
    add_field (b, "Appearance", 4);
  for (guint i = 0; i < n_entries (ad->data); i++)
    {
      GpAdvertisingDataEntry *e = g_ptr_array_index (ad->data, i);
      g_autofree char *name = g_strdup_printf ("Data[0x%02x]", e->key);
      add_field (b, name, 2 + g_bytes_get_size (e->data));
    }
  if (ad->peripheral && ad->discoverable)
    add_field (b, "Flags (discoverable)", 3);

  b->budget = b->limit;
  g_string_append_printf (b->budget_why, "%u", b->limit);
  if (ad->includes & GP_ADVERTISEMENT_INCLUDES_TX_POWER)
    {
      b->budget -= 3;
      g_string_append (b->budget_why, " − 3 for Includes tx-power");
    }
  if (ad->peripheral && !ad->discoverable)
    {
      b->budget -= 3;
      g_string_append (b->budget_why, " − 3 for the Flags the kernel adds when the adapter is discoverable");
    }
  if ((ad->includes & GP_ADVERTISEMENT_INCLUDES_APPEARANCE) && !ad->extended)
    {
      b->budget -= 4;
      g_string_append (b->budget_why, " − 4 more for Includes appearance (bluetoothd counts it twice)");
    }
}

void
gp_advertising_budget_clear (GpAdvertisingBudget *b)
{
  if (b->fields != NULL)
    g_string_free (g_steal_pointer (&b->fields), TRUE);
  if (b->budget_why != NULL)
    g_string_free (g_steal_pointer (&b->budget_why), TRUE);
  g_clear_pointer (&b->limit_why, g_free);
}

/* How many bytes of advertising data bluetoothd makes of @ad. */
guint
gp_advertising_data_get_length (const GpAdvertisingData *ad)
{
  GpAdvertisingBudget b;
  guint len;

  gp_advertising_data_compute_budget (ad, &b);
  len = b.adv_len;
  gp_advertising_budget_clear (&b);
  return len;
}

/* "N bytes of advertising data: field size, ..." for error messages. */
char *
gp_advertising_data_describe (const GpAdvertisingData *ad)
{
  GpAdvertisingBudget b;
  char *ret;

  gp_advertising_data_compute_budget (ad, &b);
  ret = g_strdup_printf ("%u bytes of advertising data: %s", b.adv_len,
                         b.fields->len > 0 ? b.fields->str : "none");
  gp_advertising_budget_clear (&b);
  return ret;
}

/* ------------------------------------------------------------------ */
/* Everything BlueZ would refuse                                        */

/* Whether BlueZ should take the fields of @ad: UUIDs, AD types,
 * conflicts, ranges; not whether the data fits the controller. */
gboolean
gp_advertising_data_check_fields (const GpAdvertisingData  *ad,
                                  GError                  **error)
{
  gboolean has_local_name = ad->local_name != NULL && ad->local_name[0] != '\0';

  if (!gp_advertising_data_check_uuids (ad->service_uuids, "service-uuids", error) ||
      !gp_advertising_data_check_uuids (ad->solicit_uuids, "solicit-uuids", error))
    return FALSE;

  for (guint i = 0; i < n_entries (ad->service_data); i++)
    {
      GpAdvertisingDataEntry *e = g_ptr_array_index (ad->service_data, i);
      if (!gp_uuid_is_valid (e->uuid))
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                       "Service data: “%s” is not a Bluetooth UUID", e->uuid);
          return FALSE;
        }
    }

  for (guint i = 0; i < n_entries (ad->data); i++)
    {
      GpAdvertisingDataEntry *e = g_ptr_array_index (ad->data, i);
      const char *why = gp_advertising_data_rejected_type (e->key);
      if (why != NULL)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                       "Data: BlueZ refuses AD type 0x%02x in Data (%s)", e->key, why);
          return FALSE;
        }
    }

  if (has_local_name && (ad->includes & GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME))
    {
      g_set_error_literal (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                           "local-name conflicts with Includes local-name (the adapter's "
                           "alias): BlueZ refuses both, set only one");
      return FALSE;
    }
  if (ad->has_appearance && (ad->includes & GP_ADVERTISEMENT_INCLUDES_APPEARANCE))
    {
      g_set_error_literal (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                           "appearance conflicts with Includes appearance (the adapter's): "
                           "BlueZ refuses both, set only one");
      return FALSE;
    }
  if (ad->peripheral && ad->discoverable && ad->discoverable_timeout > 0 && ad->timeout > 0 &&
      ad->timeout < ad->discoverable_timeout)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                   "discoverable-timeout (%u s) is longer than timeout (%u s): BlueZ refuses it",
                   ad->discoverable_timeout, ad->timeout);
      return FALSE;
    }
  if (ad->min_interval != 0 || ad->max_interval != 0)
    {
      guint min = ad->min_interval != 0 ? ad->min_interval : ad->max_interval;
      guint max = ad->max_interval != 0 ? ad->max_interval : ad->min_interval;

      if (min < 20 || max > 10485759)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                       "Advertising intervals must be 20 ms to 10485759 ms (got %u–%u ms)",
                       min, max);
          return FALSE;
        }
      if (min > max)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                       "min-interval (%u ms) is larger than max-interval (%u ms)", min, max);
          return FALSE;
        }
    }
  if (ad->tx_power != GP_ADVERTISEMENT_TX_POWER_NONE &&
      (ad->tx_power < -127 || ad->tx_power > 20))
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                   "tx-power must be −127 to 20 dBm (got %d)", ad->tx_power);
      return FALSE;
    }

  return TRUE;
}

/* Whether BlueZ should take @ad: gp_advertising_data_check_fields(), and
 * whether the data fits the limits in @ad (max_adv_len, max_scan_rsp_len:
 * the controller's as bluetoothd publishes them). @object_path names the
 * advertisement in the messages. What the adapter supports is checked
 * elsewhere. */
gboolean
gp_advertising_data_check (const GpAdvertisingData  *ad,
                           const char               *object_path,
                           GError                  **error)
{
  GpAdvertisingBudget b;
  gboolean ok = TRUE;

  if (!gp_advertising_data_check_fields (ad, error))
    return FALSE;

  gp_advertising_data_compute_budget (ad, &b);
  if (b.adv_len > b.budget)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH,
                   "Advertisement %s does not fit: its advertising data takes %u bytes (%s) "
                   "but %s, of which the %s MGMT path leaves %u bytes (%s): %u bytes too many. "
                   "Remove or shorten fields%s", object_path, b.adv_len, b.fields->str,
                   b.limit_why, ad->extended ? "extended" : "legacy", b.budget,
                   b.budget_why->str, b.adv_len - b.budget,
                   b.extended_pdus ? ""
                   : " (the local name goes in the scan response and does not count)");
      ok = FALSE;
    }
  else if (ad->extended && (ad->includes & GP_ADVERTISEMENT_INCLUDES_APPEARANCE) &&
           ad->local_name != NULL && !b.extended_pdus)
    {
      guint scan_limit = ad->max_scan_rsp_len != 0 ? ad->max_scan_rsp_len
                                                   : GP_ADVERTISING_DATA_MAX_LEN;
      guint scan_len = (guint) MIN (strlen (ad->local_name) + 2, scan_limit);

      if (scan_len > scan_limit - 4)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH,
                       "Advertisement %s does not fit: its scan response takes %u bytes "
                       "(LocalName) but the controller takes %u bytes of scan response "
                       "(MaxScnRspLen%s) and the kernel leaves %u next to Includes "
                       "appearance: %u bytes too many", object_path, scan_len, scan_limit,
                       ad->max_scan_rsp_len != 0 ? " in SupportedCapabilities"
                       : ": not published, legacy advertising", scan_limit - 4,
                       scan_len - (scan_limit - 4));
          ok = FALSE;
        }
    }
  gp_advertising_budget_clear (&b);
  return ok;
}
