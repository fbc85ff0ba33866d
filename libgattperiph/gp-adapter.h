/* gp-adapter.h: a Bluetooth adapter of BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"
#include "gp-device.h"

G_BEGIN_DECLS

#define GP_TYPE_ADAPTER (gp_adapter_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpAdapter, gp_adapter, GP, ADAPTER, GObject)

GP_AVAILABLE_IN_ALL
GpAdapter       *gp_adapter_new_for_path    (GDBusConnection      *connection,
                                             const char           *object_path);
GP_AVAILABLE_IN_ALL
void             gp_adapter_find_async      (GDBusConnection      *connection,
                                             const char           *name,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GP_AVAILABLE_IN_ALL
GpAdapter       *gp_adapter_find_finish     (GAsyncResult         *result,
                                             GError              **error);
GP_AVAILABLE_IN_ALL
GDBusConnection *gp_adapter_get_connection  (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_adapter_get_object_path (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_adapter_get_interface_name (GpAdapter         *self);

GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_get_present     (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_adapter_get_address     (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_adapter_get_system_name (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_adapter_get_alias       (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_get_powered     (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_get_discoverable (GpAdapter           *self);
GP_AVAILABLE_IN_ALL
guint            gp_adapter_get_discoverable_timeout (GpAdapter   *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_get_pairable    (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
guint            gp_adapter_get_pairable_timeout (GpAdapter       *self);
GP_AVAILABLE_IN_ALL
GList           *gp_adapter_get_devices     (GpAdapter            *self);

GP_AVAILABLE_IN_ALL
void             gp_adapter_set_alias_async (GpAdapter            *self,
                                             const char           *alias,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_set_alias_finish (GpAdapter           *self,
                                             GAsyncResult         *result,
                                             GError              **error);
GP_AVAILABLE_IN_ALL
void             gp_adapter_set_powered_async (GpAdapter          *self,
                                             gboolean              powered,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_set_powered_finish (GpAdapter         *self,
                                             GAsyncResult         *result,
                                             GError              **error);
GP_AVAILABLE_IN_ALL
void             gp_adapter_set_discoverable_async (GpAdapter     *self,
                                             gboolean              discoverable,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_set_discoverable_finish (GpAdapter    *self,
                                             GAsyncResult         *result,
                                             GError              **error);
GP_AVAILABLE_IN_ALL
void             gp_adapter_set_pairable_async (GpAdapter         *self,
                                             gboolean              pairable,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_adapter_set_pairable_finish (GpAdapter        *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
