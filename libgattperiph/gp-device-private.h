/* gp-device-private.h: GpDevice inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

GpDevice    *gp_device_get_for_path            (GDBusConnection        *connection,
                                                const char             *object_path);

/* Called by GpBluezClient, before it tells anyone else. */
void         gp_device_set_proxy               (GpDevice               *self,
                                                GDBusProxy             *proxy);
void         gp_device_changed                 (GpDevice               *self,
                                                GVariant               *changed,
                                                const char * const     *invalidated);
void         gp_device_set_gone                (GpDevice               *self);

G_END_DECLS
