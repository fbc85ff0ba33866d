/* gp-characteristic.h: a GATT characteristic
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"
#include "gp-attribute.h"

G_BEGIN_DECLS

/**
 * GpCharacteristicFlags:
 * @GP_CHARACTERISTIC_FLAGS_NONE: no flag (BlueZ refuses a characteristic
 *   without flags)
 * @GP_CHARACTERISTIC_FLAGS_BROADCAST: `broadcast`
 * @GP_CHARACTERISTIC_FLAGS_READ: `read`
 * @GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE: `write-without-response`.
 *   BlueZ acknowledges *every* write to such a characteristic, even a Write
 *   Request, before the application answers: use a separate characteristic
 *   when write errors must reach the central.
 * @GP_CHARACTERISTIC_FLAGS_WRITE: `write`
 * @GP_CHARACTERISTIC_FLAGS_NOTIFY: `notify` (BlueZ adds the CCC descriptor)
 * @GP_CHARACTERISTIC_FLAGS_INDICATE: `indicate` (BlueZ adds the CCC descriptor)
 * @GP_CHARACTERISTIC_FLAGS_AUTHENTICATED_SIGNED_WRITES: `authenticated-signed-writes`
 * @GP_CHARACTERISTIC_FLAGS_EXTENDED_PROPERTIES: `extended-properties`
 * @GP_CHARACTERISTIC_FLAGS_RELIABLE_WRITE: `reliable-write` (an extended
 *   property: BlueZ adds the Extended Properties descriptor)
 * @GP_CHARACTERISTIC_FLAGS_WRITABLE_AUXILIARIES: `writable-auxiliaries`
 *   (an extended property)
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_READ: `encrypt-read`: reading needs an
 *   encrypted link (pairing)
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_WRITE: `encrypt-write`
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_READ:
 *   `encrypt-authenticated-read`: reading needs an authenticated (MITM
 *   protected) pairing
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_WRITE: `encrypt-authenticated-write`
 * @GP_CHARACTERISTIC_FLAGS_SECURE_READ: `secure-read`: LE Secure
 *   Connections with MITM protection
 * @GP_CHARACTERISTIC_FLAGS_SECURE_WRITE: `secure-write`
 * @GP_CHARACTERISTIC_FLAGS_AUTHORIZE: `authorize`: in BlueZ 5.66, prepared
 *   writes from untrusted devices ask the application first (see
 *   [method@Request.get_prepare_authorize])
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_NOTIFY: `encrypt-notify`: subscribing
 *   needs encryption (BlueZ 5.62 and later)
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_NOTIFY: `encrypt-authenticated-notify`
 * @GP_CHARACTERISTIC_FLAGS_SECURE_NOTIFY: `secure-notify`
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_INDICATE: `encrypt-indicate`
 * @GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_INDICATE: `encrypt-authenticated-indicate`
 * @GP_CHARACTERISTIC_FLAGS_SECURE_INDICATE: `secure-indicate`
 *
 * The properties and permissions of a characteristic: every flag
 * bluetoothd 5.66 accepts in `org.bluez.GattCharacteristic1.Flags`.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  GP_CHARACTERISTIC_FLAGS_NONE                           = 0,
  GP_CHARACTERISTIC_FLAGS_BROADCAST                      = 1 << 0,
  GP_CHARACTERISTIC_FLAGS_READ                           = 1 << 1,
  GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE         = 1 << 2,
  GP_CHARACTERISTIC_FLAGS_WRITE                          = 1 << 3,
  GP_CHARACTERISTIC_FLAGS_NOTIFY                         = 1 << 4,
  GP_CHARACTERISTIC_FLAGS_INDICATE                       = 1 << 5,
  GP_CHARACTERISTIC_FLAGS_AUTHENTICATED_SIGNED_WRITES    = 1 << 6,
  GP_CHARACTERISTIC_FLAGS_EXTENDED_PROPERTIES            = 1 << 7,
  GP_CHARACTERISTIC_FLAGS_RELIABLE_WRITE                 = 1 << 8,
  GP_CHARACTERISTIC_FLAGS_WRITABLE_AUXILIARIES           = 1 << 9,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_READ                   = 1 << 10,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_WRITE                  = 1 << 11,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_READ     = 1 << 12,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_WRITE    = 1 << 13,
  GP_CHARACTERISTIC_FLAGS_SECURE_READ                    = 1 << 14,
  GP_CHARACTERISTIC_FLAGS_SECURE_WRITE                   = 1 << 15,
  GP_CHARACTERISTIC_FLAGS_AUTHORIZE                      = 1 << 16,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_NOTIFY                 = 1 << 17,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_NOTIFY   = 1 << 18,
  GP_CHARACTERISTIC_FLAGS_SECURE_NOTIFY                  = 1 << 19,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_INDICATE               = 1 << 20,
  GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_INDICATE = 1 << 21,
  GP_CHARACTERISTIC_FLAGS_SECURE_INDICATE                = 1 << 22,
} GpCharacteristicFlags;

#define GP_TYPE_CHARACTERISTIC (gp_characteristic_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GpCharacteristic, gp_characteristic, GP, CHARACTERISTIC, GpAttribute)

/**
 * GpCharacteristicClass:
 *
 * The class structure of [class@Characteristic]. Override the handlers of
 * [struct@AttributeClass] to compute values or act on writes.
 *
 * Since: 0.1
 */
struct _GpCharacteristicClass
{
  GpAttributeClass parent_class;

  /*< private >*/
  gpointer padding[12];
};

/* Headers that need this type in turn: after its declaration, so that
 * no type is declared twice (C99) whichever header comes first. */
G_END_DECLS
#include "gp-descriptor.h"
#include "gp-service.h"
G_BEGIN_DECLS

GP_AVAILABLE_IN_ALL
GpCharacteristic      *gp_characteristic_new               (const char            *uuid,
                                                            GpCharacteristicFlags  flags,
                                                            GError               **error);
GP_AVAILABLE_IN_ALL
GpCharacteristicFlags  gp_characteristic_get_flags         (GpCharacteristic      *self);
GP_AVAILABLE_IN_ALL
gboolean               gp_characteristic_get_notifying     (GpCharacteristic      *self);
GP_AVAILABLE_IN_ALL
GpService             *gp_characteristic_get_service       (GpCharacteristic      *self);
GP_AVAILABLE_IN_ALL
gboolean               gp_characteristic_add_descriptor    (GpCharacteristic      *self,
                                                            GpDescriptor          *descriptor,
                                                            GError               **error);
GP_AVAILABLE_IN_ALL
gboolean               gp_characteristic_remove_descriptor (GpCharacteristic      *self,
                                                            GpDescriptor          *descriptor,
                                                            GError               **error);
GP_AVAILABLE_IN_ALL
GList                 *gp_characteristic_get_descriptors   (GpCharacteristic      *self);
GP_AVAILABLE_IN_ALL
gboolean               gp_characteristic_get_acquire_notify (GpCharacteristic     *self);
GP_AVAILABLE_IN_ALL
void                   gp_characteristic_set_acquire_notify (GpCharacteristic     *self,
                                                            gboolean               acquire_notify);
GP_AVAILABLE_IN_ALL
gboolean               gp_characteristic_get_acquire_write (GpCharacteristic      *self);
GP_AVAILABLE_IN_ALL
void                   gp_characteristic_set_acquire_write (GpCharacteristic      *self,
                                                            gboolean               acquire_write);
GP_AVAILABLE_IN_ALL
gboolean               gp_characteristic_get_write_acquired (GpCharacteristic     *self);
GP_AVAILABLE_IN_ALL
guint                  gp_characteristic_get_backlog       (GpCharacteristic      *self);
GP_AVAILABLE_IN_ALL
guint64                gp_characteristic_get_coalesced     (GpCharacteristic      *self);
GP_AVAILABLE_IN_ALL
void                   gp_characteristic_send_value_async  (GpCharacteristic      *self,
                                                            GBytes                *value,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
GP_AVAILABLE_IN_ALL
gboolean               gp_characteristic_send_value_finish (GpCharacteristic      *self,
                                                            GAsyncResult          *result,
                                                            GError               **error);

G_END_DECLS
