/* gp-characteristic-private.h: GpCharacteristic inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

GVariant    *gp_characteristic_flags_to_variant (GpCharacteristicFlags  flags);
void         gp_characteristic_set_service     (GpCharacteristic       *self,
                                                GpService              *service);
gboolean     gp_characteristic_validate        (GpCharacteristic       *self,
                                                GError                **error);
void         gp_characteristic_get_dbus_properties (GpCharacteristic   *self,
                                                GVariantBuilder        *builder);
void         gp_characteristic_value_set       (GpCharacteristic       *self,
                                                GBytes                 *value);
void         gp_characteristic_set_notifying   (GpCharacteristic       *self,
                                                gboolean                notifying);
void         gp_characteristic_handle_method_call (GpCharacteristic    *self,
                                                GDBusMethodInvocation  *invocation,
                                                const char             *method,
                                                GVariant               *parameters);
/* The notification queue, driven by the application's pacer
 * (gp-notify-pacer.c). */
typedef enum
{
  GP_NOTIFY_WRITE_NO_SOCKET,   /* no socket acquired: send it as a signal */
  GP_NOTIFY_WRITE_DONE,        /* every socket took it */
  GP_NOTIFY_WRITE_LATER,       /* a socket was full: kept until it has room */
  GP_NOTIFY_WRITE_DROPPED,     /* no socket could take it; the task failed */
} GpNotifyWrite;

gboolean     gp_characteristic_take_notification (GpCharacteristic     *self,
                                                GBytes                **out_value,
                                                GTask                 **out_task);
GpNotifyWrite gp_characteristic_write_notify_sockets (GpCharacteristic *self,
                                                GBytes                 *value,
                                                GTask                  *task);
gboolean     gp_characteristic_has_notification (GpCharacteristic      *self);
void         gp_characteristic_reset_notifications (GpCharacteristic   *self,
                                                const GError           *reason);
/* Completes a send_value task (@error: %NULL for success), unless its
 * caller cancelled it already. */
void         gp_characteristic_complete_send   (GTask                  *task,
                                                const GError           *error);
/* How long a central has to confirm an indication (30 s; tests shorten it). */
void         gp_characteristic_set_confirm_timeout (GpCharacteristic   *self,
                                                guint                   msec);

/* AcquireWrite (gp-write-socket.c). write_pending is safe from any thread. */
gboolean     gp_characteristic_write_pending   (GpCharacteristic       *self);
void         gp_characteristic_close_write_sockets (GpCharacteristic   *self);

G_END_DECLS
