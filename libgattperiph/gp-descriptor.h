/* gp-descriptor.h: a GATT descriptor
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
 * GpDescriptorFlags:
 * @GP_DESCRIPTOR_FLAGS_NONE: no flag (BlueZ refuses a descriptor without flags)
 * @GP_DESCRIPTOR_FLAGS_READ: `read`
 * @GP_DESCRIPTOR_FLAGS_WRITE: `write`
 * @GP_DESCRIPTOR_FLAGS_ENCRYPT_READ: `encrypt-read`
 * @GP_DESCRIPTOR_FLAGS_ENCRYPT_WRITE: `encrypt-write`
 * @GP_DESCRIPTOR_FLAGS_ENCRYPT_AUTHENTICATED_READ: `encrypt-authenticated-read`
 * @GP_DESCRIPTOR_FLAGS_ENCRYPT_AUTHENTICATED_WRITE: `encrypt-authenticated-write`
 * @GP_DESCRIPTOR_FLAGS_SECURE_READ: `secure-read`
 * @GP_DESCRIPTOR_FLAGS_SECURE_WRITE: `secure-write`
 * @GP_DESCRIPTOR_FLAGS_AUTHORIZE: `authorize` (prepared writes ask first)
 *
 * The permissions of a descriptor: every flag bluetoothd 5.66 accepts in
 * `org.bluez.GattDescriptor1.Flags`.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  GP_DESCRIPTOR_FLAGS_NONE                        = 0,
  GP_DESCRIPTOR_FLAGS_READ                        = 1 << 0,
  GP_DESCRIPTOR_FLAGS_WRITE                       = 1 << 1,
  GP_DESCRIPTOR_FLAGS_ENCRYPT_READ                = 1 << 2,
  GP_DESCRIPTOR_FLAGS_ENCRYPT_WRITE               = 1 << 3,
  GP_DESCRIPTOR_FLAGS_ENCRYPT_AUTHENTICATED_READ  = 1 << 4,
  GP_DESCRIPTOR_FLAGS_ENCRYPT_AUTHENTICATED_WRITE = 1 << 5,
  GP_DESCRIPTOR_FLAGS_SECURE_READ                 = 1 << 6,
  GP_DESCRIPTOR_FLAGS_SECURE_WRITE                = 1 << 7,
  GP_DESCRIPTOR_FLAGS_AUTHORIZE                   = 1 << 8,
} GpDescriptorFlags;

#define GP_TYPE_DESCRIPTOR (gp_descriptor_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GpDescriptor, gp_descriptor, GP, DESCRIPTOR, GpAttribute)

/**
 * GpDescriptorClass:
 *
 * The class structure of [class@Descriptor].
 *
 * Since: 0.1
 */
struct _GpDescriptorClass
{
  GpAttributeClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

/* Headers that need this type in turn: after its declaration, so that
 * no type is declared twice (C99) whichever header comes first. */
G_END_DECLS
#include "gp-characteristic.h"
G_BEGIN_DECLS

GP_AVAILABLE_IN_ALL
GpDescriptor      *gp_descriptor_new                (const char         *uuid,
                                                     GpDescriptorFlags   flags,
                                                     GError            **error);
GP_AVAILABLE_IN_ALL
GpDescriptor      *gp_descriptor_new_user_description (const char       *description,
                                                     GError            **error);
GP_AVAILABLE_IN_ALL
GpDescriptorFlags  gp_descriptor_get_flags          (GpDescriptor       *self);
GP_AVAILABLE_IN_ALL
GpCharacteristic  *gp_descriptor_get_characteristic (GpDescriptor       *self);

G_END_DECLS
