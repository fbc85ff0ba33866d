/* gp-application-private.h: GpApplication inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"
#include "gp-notify-pacer-private.h"

G_BEGIN_DECLS

gboolean     gp_application_check_mutable      (GpApplication          *self,
                                                const char             *what,
                                                GError                **error);
/* The pacer of the application's notifications (gp-notify-pacer-private.h). */
GpNotifyPacer *gp_application_get_notify_pacer  (GpApplication          *self);

G_END_DECLS
