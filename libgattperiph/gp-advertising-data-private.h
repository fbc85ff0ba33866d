/* gp-advertising-data-private.h: the advertising data as bluetoothd
 * builds it, and the checks BlueZ makes of it (pure functions of plain data)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

/* The legacy advertising data (and scan response) length: the limit where
 * bluetoothd publishes no MaxAdvLen. */
#define GP_ADVERTISING_DATA_MAX_LEN 31

/* One manufacturer data, service data or raw data field. */
typedef struct
{
  guint    key;     /* company id (manufacturer data) or AD type (data) */
  char    *uuid;    /* service data: the UUID as given; NULL otherwise */
  GBytes  *data;
} GpAdvertisingDataEntry;

/* What an advertisement says, as plain data: everything the checks and the
 * length computation need, and nothing of the object around it. */
typedef struct
{
  gboolean                  peripheral;         /* connectable ("peripheral") */
  gboolean                  discoverable;
  gboolean                  extended;           /* the extended-MGMT path (5.66 hides
                                                 * SupportedSecondaryChannels without it) */
  gboolean                  secondary;          /* a SecondaryChannel is set */
  guint                     max_adv_len;        /* MaxAdvLen of SupportedCapabilities;
                                                 * 0: not published (31) */
  guint                     max_scan_rsp_len;   /* MaxScnRspLen; 0: not published (31) */
  const char * const       *service_uuids;      /* nullable */
  const char * const       *solicit_uuids;      /* nullable */
  const char               *local_name;         /* nullable */
  gboolean                  has_appearance;     /* the Appearance property is set */
  GpAdvertisementIncludes   includes;
  guint                     discoverable_timeout;
  guint                     timeout;
  guint                     min_interval;       /* 0: unset */
  guint                     max_interval;       /* 0: unset */
  int                       tx_power;           /* GP_ADVERTISEMENT_TX_POWER_NONE: unset */
  GPtrArray                *manufacturer_data;  /* nullable; GpAdvertisingDataEntry */
  GPtrArray                *service_data;       /* nullable; GpAdvertisingDataEntry */
  GPtrArray                *data;               /* nullable; GpAdvertisingDataEntry */
} GpAdvertisingData;

/* How bluetoothd counts the advertising data, and what it allows. */
typedef struct
{
  GString *fields;       /* "ServiceUUIDs 4, Appearance 4, ..." */
  guint    adv_len;      /* the advertising data bluetoothd generates */
  guint    budget;       /* what it allows */
  GString *budget_why;   /* "31 − 3 for Includes tx-power ..." */
  guint    limit;        /* the controller's limit the budget starts from */
  char    *limit_why;    /* "the controller takes 31 bytes (legacy advertising; ...)" */
  gboolean extended_pdus; /* sent as extended PDUs: no scan response */
} GpAdvertisingBudget;

void          gp_advertising_data_entry_free      (gpointer                   entry);
GpAdvertisingDataEntry *
              gp_advertising_data_entry_find      (GPtrArray                 *entries,
                                                   guint                      key,
                                                   const char                *uuid);
gboolean      gp_advertising_data_entry_set       (GPtrArray                 *entries,
                                                   guint                      key,
                                                   const char                *uuid,
                                                   GBytes                    *data);

char         *gp_advertising_data_uuid_for_bluez  (const char                *uuid,
                                                   guint                     *out_size);
guint         gp_advertising_data_uuid_list_length (const char * const       *uuids);
const char   *gp_advertising_data_rejected_type   (guint8                     ad_type);
gboolean      gp_advertising_data_check_uuids     (const char * const        *uuids,
                                                   const char                *what,
                                                   GError                   **error);

void          gp_advertising_data_compute_budget  (const GpAdvertisingData   *ad,
                                                   GpAdvertisingBudget       *budget);
void          gp_advertising_budget_clear         (GpAdvertisingBudget       *budget);
guint         gp_advertising_data_get_length      (const GpAdvertisingData   *ad);
char         *gp_advertising_data_describe        (const GpAdvertisingData   *ad);
gboolean      gp_advertising_data_check_fields    (const GpAdvertisingData   *ad,
                                                   GError                   **error);
gboolean      gp_advertising_data_check           (const GpAdvertisingData   *ad,
                                                   const char                *object_path,
                                                   GError                   **error);

G_END_DECLS
