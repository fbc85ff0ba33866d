/* gp-dbus-util-private.h: D-Bus helpers shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

#include <glib-unix.h>
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
/* GetManagedObjects builds hundreds of these: no format strings. */
void         gp_vardict_add                    (GVariantBuilder        *builder,
                                                const char             *key,
                                                GVariant               *value);
GVariant    *gp_flags_to_strv_variant          (const char * const     *names,
                                                guint                   n_names,
                                                guint                   flags);
GBytes      *gp_variant_to_bytes               (GVariant               *variant);
GError      *gp_dbus_error_from_bluez          (GError                 *error);
GVariant    *gp_dbus_lookup_property           (GVariant               *properties,
                                                const char             *name);

/* Callers of exported objects. Only bluetoothd (its current unique name,
 * @bluez_owner) may call them; a peer-to-peer connection has no sender
 * and is BlueZ's by definition. */
gboolean     gp_dbus_sender_allowed            (const char             *sender,
                                                const char             *bluez_owner);
/* Returns %TRUE if the caller of @invocation is allowed; otherwise answers
 * it with org.bluez.Error.NotPermitted and returns %FALSE. */
gboolean     gp_dbus_check_caller              (GDBusMethodInvocation  *invocation,
                                                const char             *bluez_owner);

/* A connection filter that refuses every method call to one object path
 * from anyone but bluetoothd (org.bluez.Error.NotPermitted), on GDBus's
 * I/O thread, before GDBus dispatches it: Properties calls that GDBus
 * would answer by itself (GetAll of an interface without properties, Set
 * of a read-only property) included; Introspectable and Peer are left to
 * GDBus. For objects registered with g_dbus_connection_register_object()
 * (the agent, advertisements); GpExport has its own filter for the GATT
 * tree. Main context only, except the filter itself. */
typedef struct _GpCallerGate GpCallerGate;

GpCallerGate *gp_caller_gate_new               (const char             *object_path);
/* Adds the filter to @connection (once) and lets @bluez_owner call. */
void         gp_caller_gate_attach             (GpCallerGate           *gate,
                                                GDBusConnection        *connection,
                                                const char             *bluez_owner);
/* Removes the filter; nobody may call until the next attach. */
void         gp_caller_gate_detach             (GpCallerGate           *gate);
void         gp_caller_gate_free               (GpCallerGate           *gate);

/* Sources on the main context an object captured when it was made (the
 * thread-default one), never the global default. Free with
 * gp_source_clear() (destroys and unrefs; NULL-safe). */
GSource     *gp_timeout_source_attach          (GMainContext           *context,
                                                guint                   interval_msec,
                                                GSourceFunc             func,
                                                gpointer                user_data);
GSource     *gp_idle_source_attach             (GMainContext           *context,
                                                int                     priority,
                                                GSourceFunc             func,
                                                gpointer                user_data);
GSource     *gp_fd_source_attach               (GMainContext           *context,
                                                int                     fd,
                                                GIOCondition            condition,
                                                GUnixFDSourceFunc       func,
                                                gpointer                user_data);
void         gp_source_clear                   (GSource               **source);

/* g_object_notify_by_pspec(), skipped when nobody can hear it. */
void         gp_object_notify_heard            (GObject                *object,
                                                GParamSpec             *pspec);

/* A SOCK_SEQPACKET pair (non-blocking, close-on-exec) for the answer to
 * AcquireNotify or AcquireWrite: returns our end, and puts the other in a
 * new fd list (*out_fds, at *out_index; our copy of it is closed, so
 * that we see HUP when bluetoothd closes it). -1 with @error set. */
int          gp_dbus_seqpacket_pair            (GUnixFDList           **out_fds,
                                                int                    *out_index,
                                                GError                **error);

G_END_DECLS
