/* gp-device.h: a remote Bluetooth device (a central) known to BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"

G_BEGIN_DECLS

#define GP_TYPE_DEVICE (gp_device_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpDevice, gp_device, GP, DEVICE, GObject)

GP_AVAILABLE_IN_ALL
GpDevice        *gp_device_new_for_path      (GDBusConnection     *connection,
                                              const char          *object_path);
GP_AVAILABLE_IN_ALL
GDBusConnection *gp_device_get_connection    (GpDevice            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_device_get_object_path   (GpDevice            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_device_get_adapter_path  (GpDevice            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_device_get_address       (GpDevice            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_device_get_address_type  (GpDevice            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_device_get_remote_name   (GpDevice            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_device_get_alias         (GpDevice            *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_device_get_connected     (GpDevice            *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_device_get_paired        (GpDevice            *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_device_get_bonded        (GpDevice            *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_device_get_trusted       (GpDevice            *self);

GP_AVAILABLE_IN_ALL
void             gp_device_set_trusted_async (GpDevice            *self,
                                              gboolean             trusted,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_device_set_trusted_finish (GpDevice           *self,
                                              GAsyncResult        *result,
                                              GError             **error);
GP_AVAILABLE_IN_ALL
void             gp_device_disconnect_async  (GpDevice            *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_device_disconnect_finish (GpDevice            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
GP_AVAILABLE_IN_ALL
void             gp_device_remove_async      (GpDevice            *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_device_remove_finish     (GpDevice            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
