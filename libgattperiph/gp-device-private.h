/* gp-device-private.h: GpDevice inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

GpDevice    *gp_device_get_for_path            (GDBusConnection        *connection,
                                                const char             *object_path,
                                                GVariant               *properties);
void         gp_device_update                  (GpDevice               *self,
                                                GVariant               *properties,
                                                const char * const     *invalidated);

G_END_DECLS
