/* gp-advertisement.h: an LE advertisement registered with BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"
#include "gp-registration.h"
#include "gp-adapter.h"

G_BEGIN_DECLS

/**
 * GpAdvertisementType:
 * @GP_ADVERTISEMENT_TYPE_PERIPHERAL: connectable (`"peripheral"`): centrals
 *   can connect. The default of #GpAdvertisement (BlueZ's own default,
 *   when the property is absent, is broadcast).
 * @GP_ADVERTISEMENT_TYPE_BROADCAST: non-connectable (`"broadcast"`), for
 *   beacons. Broadcast adverts carry no discoverable flags.
 *
 * The `Type` of an advertisement.
 *
 * Since: 0.1
 */
typedef enum {
  GP_ADVERTISEMENT_TYPE_PERIPHERAL,
  GP_ADVERTISEMENT_TYPE_BROADCAST,
} GpAdvertisementType;

/**
 * GpAdvertisementIncludes:
 * @GP_ADVERTISEMENT_INCLUDES_NONE: nothing
 * @GP_ADVERTISEMENT_INCLUDES_TX_POWER: `tx-power`: the kernel adds the TX
 *   power level (3 bytes of the advertising data)
 * @GP_ADVERTISEMENT_INCLUDES_APPEARANCE: `appearance`: the adapter's
 *   appearance (BlueZ 5.66 counts 8 bytes of the advertising data for it);
 *   conflicts with [property@Advertisement:appearance]
 * @GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME: `local-name`: the adapter's alias,
 *   in the scan response; conflicts with [property@Advertisement:local-name]
 *
 * What BlueZ adds to an advertisement by itself (`Includes`).
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  GP_ADVERTISEMENT_INCLUDES_NONE = 0,
  GP_ADVERTISEMENT_INCLUDES_TX_POWER = 1 << 0,
  GP_ADVERTISEMENT_INCLUDES_APPEARANCE = 1 << 1,
  GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME = 1 << 2,
} GpAdvertisementIncludes;

/**
 * GpSecondaryChannel:
 * @GP_SECONDARY_CHANNEL_NONE: legacy advertising (the default)
 * @GP_SECONDARY_CHANNEL_1M: extended advertising on LE 1M
 * @GP_SECONDARY_CHANNEL_2M: extended advertising on LE 2M
 * @GP_SECONDARY_CHANNEL_CODED: extended advertising on LE Coded (long range)
 *
 * The `SecondaryChannel` of an advertisement. Any value but
 * %GP_SECONDARY_CHANNEL_NONE makes the controller use extended advertising
 * PDUs, which legacy (Bluetooth 4.x) scanners cannot see.
 *
 * Since: 0.1
 */
typedef enum {
  GP_SECONDARY_CHANNEL_NONE,
  GP_SECONDARY_CHANNEL_1M,
  GP_SECONDARY_CHANNEL_2M,
  GP_SECONDARY_CHANNEL_CODED,
} GpSecondaryChannel;

/**
 * GP_ADVERTISEMENT_TX_POWER_NONE:
 *
 * The value of [property@Advertisement:tx-power] that means "no preference"
 * (BlueZ's `ADV_TX_POWER_NO_PREFERENCE`): the property is not exported.
 *
 * Since: 0.1
 */
#define GP_ADVERTISEMENT_TX_POWER_NONE 127

/**
 * GP_ADVERTISEMENT_APPEARANCE_NONE:
 *
 * The value of [property@Advertisement:appearance] that means "not set".
 *
 * Since: 0.1
 */
#define GP_ADVERTISEMENT_APPEARANCE_NONE (-1)

#define GP_TYPE_ADVERTISEMENT (gp_advertisement_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpAdvertisement, gp_advertisement, GP, ADVERTISEMENT, GObject)

GP_AVAILABLE_IN_ALL
GpAdvertisement    *gp_advertisement_new                   (void);
GP_AVAILABLE_IN_ALL
GpAdvertisement    *gp_advertisement_new_for_connection    (GDBusConnection      *connection,
                                                            const char           *object_path);

GP_AVAILABLE_IN_ALL
GDBusConnection    *gp_advertisement_get_connection        (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
const char         *gp_advertisement_get_object_path       (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
GpAdapter          *gp_advertisement_get_adapter           (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
gboolean            gp_advertisement_get_registered            (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
GpRegistrationState gp_advertisement_get_registration_state    (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
gboolean            gp_advertisement_get_auto_register        (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_auto_register        (GpAdvertisement      *self,
                                                                gboolean              auto_register);

GP_AVAILABLE_IN_ALL
GpAdvertisementType gp_advertisement_get_advertisement_type (GpAdvertisement     *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_advertisement_type (GpAdvertisement     *self,
                                                            GpAdvertisementType   type);
GP_AVAILABLE_IN_ALL
const char * const *gp_advertisement_get_service_uuids     (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_service_uuids     (GpAdvertisement      *self,
                                                            const char * const   *uuids);
GP_AVAILABLE_IN_ALL
const char * const *gp_advertisement_get_solicit_uuids     (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_solicit_uuids     (GpAdvertisement      *self,
                                                            const char * const   *uuids);
GP_AVAILABLE_IN_ALL
const char         *gp_advertisement_get_local_name        (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_local_name        (GpAdvertisement      *self,
                                                            const char           *local_name);
GP_AVAILABLE_IN_ALL
int                 gp_advertisement_get_appearance        (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_appearance        (GpAdvertisement      *self,
                                                            int                   appearance);
GP_AVAILABLE_IN_ALL
GpAdvertisementIncludes gp_advertisement_get_includes      (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_includes          (GpAdvertisement      *self,
                                                            GpAdvertisementIncludes includes);
GP_AVAILABLE_IN_ALL
gboolean            gp_advertisement_get_discoverable      (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_discoverable      (GpAdvertisement      *self,
                                                            gboolean              discoverable);
GP_AVAILABLE_IN_ALL
guint               gp_advertisement_get_discoverable_timeout (GpAdvertisement   *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_discoverable_timeout (GpAdvertisement   *self,
                                                            guint                 seconds);
GP_AVAILABLE_IN_ALL
guint               gp_advertisement_get_duration          (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_duration          (GpAdvertisement      *self,
                                                            guint                 seconds);
GP_AVAILABLE_IN_ALL
guint               gp_advertisement_get_timeout           (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_timeout           (GpAdvertisement      *self,
                                                            guint                 seconds);
GP_AVAILABLE_IN_ALL
GpSecondaryChannel  gp_advertisement_get_secondary_channel (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_secondary_channel (GpAdvertisement      *self,
                                                            GpSecondaryChannel    channel);
GP_AVAILABLE_IN_ALL
guint               gp_advertisement_get_min_interval      (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_min_interval      (GpAdvertisement      *self,
                                                            guint                 milliseconds);
GP_AVAILABLE_IN_ALL
guint               gp_advertisement_get_max_interval      (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_max_interval      (GpAdvertisement      *self,
                                                            guint                 milliseconds);
GP_AVAILABLE_IN_ALL
int                 gp_advertisement_get_tx_power          (GpAdvertisement      *self);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_tx_power          (GpAdvertisement      *self,
                                                            int                   dbm);

GP_AVAILABLE_IN_ALL
GBytes             *gp_advertisement_get_manufacturer_data (GpAdvertisement      *self,
                                                            guint16               company_id);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_manufacturer_data (GpAdvertisement      *self,
                                                            guint16               company_id,
                                                            GBytes               *data);
GP_AVAILABLE_IN_ALL
GBytes             *gp_advertisement_get_service_data      (GpAdvertisement      *self,
                                                            const char           *uuid);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_service_data      (GpAdvertisement      *self,
                                                            const char           *uuid,
                                                            GBytes               *data);
GP_AVAILABLE_IN_ALL
GBytes             *gp_advertisement_get_advertising_data  (GpAdvertisement      *self,
                                                            guint8                ad_type);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_set_advertising_data  (GpAdvertisement      *self,
                                                            guint8                ad_type,
                                                            GBytes               *data);

GP_AVAILABLE_IN_ALL
gboolean            gp_advertisement_check                 (GpAdvertisement      *self,
                                                            GError              **error);
GP_AVAILABLE_IN_ALL
guint               gp_advertisement_get_data_length       (GpAdvertisement      *self);

GP_AVAILABLE_IN_ALL
void                gp_advertisement_start_async           (GpAdvertisement      *self,
                                                            GpAdapter            *adapter,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
GP_AVAILABLE_IN_ALL
gboolean            gp_advertisement_start_finish          (GpAdvertisement      *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
GP_AVAILABLE_IN_ALL
void                gp_advertisement_stop_async            (GpAdvertisement      *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
GP_AVAILABLE_IN_ALL
gboolean            gp_advertisement_stop_finish           (GpAdvertisement      *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

G_END_DECLS
