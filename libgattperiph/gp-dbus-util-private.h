/* gp-dbus-util-private.h: D-Bus helpers shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"
#include "gp-bluez-interfaces.h"

/* The generated interface descriptions, as GDBus takes them. */
#define GP_BLUEZ_INTERFACE_INFO(name) ((GDBusInterfaceInfo *) &gp_bluez_##name##_interface)

G_BEGIN_DECLS

/* ATT limits as bluetoothd 5.66 applies them. */
#define GP_MAX_VALUE_LENGTH 512

/* How long a registration call may take: bluetoothd calls back
 * GetManagedObjects with libdbus's 25 s default before it answers. */
#define GP_REGISTER_TIMEOUT_MSEC (60 * 1000)

typedef struct
{
  guint16     offset;
  guint16     mtu;
  const char *device;        /* borrowed from the options variant */
  GpLinkType  link;
  gboolean    prepare_authorize;
  GpWriteType write_type;
} GpRequestOptions;

gboolean     gp_request_options_parse          (GVariant               *options,
                                                GpRequestOptions       *out,
                                                GError                **error);
GVariant    *gp_read_reply_body                (GBytes                 *value,
                                                guint                   offset);
void         gp_dbus_return_read_value         (GDBusMethodInvocation  *invocation,
                                                GBytes                 *value,
                                                guint                   offset);
GBytes      *gp_bytes_write_at                 (GBytes                 *old_value,
                                                guint                   offset,
                                                GBytes                 *data,
                                                GError                **error);
GVariant    *gp_bytes_to_variant               (GBytes                 *bytes);
GBytes      *gp_variant_to_bytes               (GVariant               *variant);
GError      *gp_dbus_error_from_bluez          (GError                 *error);
GVariant    *gp_dbus_lookup_property           (GVariant               *properties,
                                                const char             *name);

typedef struct
{
  GDBusConnection *connection;
  GpAdapter       *adapter;
  char            *owner;       /* bluetoothd's unique name */
} GpBluezTarget;

void         gp_bluez_target_free              (GpBluezTarget          *target);
void         gp_bluez_target_resolve_async     (GDBusConnection        *connection,
                                                GpAdapter              *adapter,
                                                gboolean                find_adapter,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
GpBluezTarget *gp_bluez_target_resolve_finish  (GAsyncResult           *result,
                                                GError                **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GpBluezTarget, gp_bluez_target_free)

G_END_DECLS
