/* gp-bluez-client-private.h: the one place that follows BlueZ's objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

#define GP_BLUEZ_ADAPTER_INTERFACE "org.bluez.Adapter1"
#define GP_BLUEZ_DEVICE_INTERFACE  "org.bluez.Device1"

#define GP_TYPE_BLUEZ_CLIENT (gp_bluez_client_get_type ())
G_DECLARE_FINAL_TYPE (GpBluezClient, gp_bluez_client, GP, BLUEZ_CLIENT, GObject)

GpBluezClient *gp_bluez_client_get             (GDBusConnection        *connection);
GDBusConnection *gp_bluez_client_get_connection (GpBluezClient         *self);
GMainContext *gp_bluez_client_get_context      (GpBluezClient          *self);
gboolean     gp_bluez_client_get_loaded        (GpBluezClient          *self);
void         gp_bluez_client_hold              (GpBluezClient          *self);
void         gp_bluez_client_release           (GpBluezClient          *self);
/* The client an adapter reads its properties from (gp-adapter.c), or NULL. */
GpBluezClient *gp_adapter_get_bluez_client     (GpAdapter              *adapter);
GDBusProxy  *gp_bluez_client_lookup            (GpBluezClient          *self,
                                                const char             *object_path,
                                                const char             *interface_name);
gboolean     gp_bluez_client_has_interface     (GpBluezClient          *self,
                                                const char             *object_path,
                                                const char             *interface_name);
GList       *gp_bluez_client_get_proxies       (GpBluezClient          *self,
                                                const char             *interface_name);
void         gp_bluez_client_wait_async        (GpBluezClient          *self,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gboolean     gp_bluez_client_wait_finish       (GpBluezClient          *self,
                                                GAsyncResult           *result,
                                                GError                **error);

/* The GpDevice objects of a client (one per object path). */
GpDevice    *gp_bluez_client_lookup_device     (GpBluezClient          *self,
                                                const char             *object_path);
void         gp_bluez_client_add_device        (GpBluezClient          *self,
                                                GpDevice               *device);
void         gp_bluez_client_remove_device     (GpBluezClient          *self,
                                                GpDevice               *device);

/* One property cache for GpAdapter and GpDevice: the proxies' own. A
 * GObject property reads the BlueZ property of the same index in @names. */
void         gp_bluez_proxy_get_value          (GDBusProxy             *proxy,
                                                const char             *name,
                                                GValue                 *value);
const char  *gp_bluez_proxy_get_string         (GDBusProxy             *proxy,
                                                const char             *name);
gboolean     gp_bluez_proxy_get_boolean        (GDBusProxy             *proxy,
                                                const char             *name);
guint        gp_bluez_proxy_get_uint           (GDBusProxy             *proxy,
                                                const char             *name);
/* Notifies the properties of @object named in @changed or @invalidated
 * (a PropertiesChanged), or, with @old, those whose values differ between
 * @old and @proxy. */
void         gp_bluez_notify                   (GObject                *object,
                                                GParamSpec            **pspecs,
                                                const char * const     *names,
                                                guint                   n_props,
                                                GDBusProxy             *old,
                                                GDBusProxy             *proxy,
                                                GVariant               *changed,
                                                const char * const     *invalidated);

G_END_DECLS
