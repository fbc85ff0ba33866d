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
/* The notification queue, driven by GpApplication's pacer. */
gboolean     gp_characteristic_take_notification (GpCharacteristic     *self,
                                                GBytes                **out_value,
                                                GTask                 **out_task,
                                                gboolean               *out_wants_confirm);
gboolean     gp_characteristic_write_notify_sockets (GpCharacteristic *self,
                                                GBytes                 *value);
gboolean     gp_characteristic_has_notification (GpCharacteristic      *self);
void         gp_characteristic_reset_notifications (GpCharacteristic   *self,
                                                const GError           *reason);

G_END_DECLS
