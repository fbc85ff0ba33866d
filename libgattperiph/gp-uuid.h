/* gp-uuid.h: Bluetooth UUID strings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <glib.h>

#include "gp-version-macros.h"

G_BEGIN_DECLS

GP_AVAILABLE_IN_ALL
char     *gp_uuid_normalize (const char  *uuid,
                             GError     **error);

GP_AVAILABLE_IN_ALL
gboolean  gp_uuid_is_valid  (const char  *uuid);

G_END_DECLS
