/* gp-application-private.h: GpApplication inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

gboolean     gp_application_check_mutable      (GpApplication          *self,
                                                const char             *what,
                                                GError                **error);
gboolean     gp_application_check_caller       (GpApplication          *self,
                                                GDBusMethodInvocation  *invocation);
void         gp_application_queue_notification (GpApplication          *self,
                                                GpCharacteristic       *characteristic);
void         gp_application_cancel_notifications (GpApplication        *self,
                                                GpCharacteristic       *characteristic);

G_END_DECLS
