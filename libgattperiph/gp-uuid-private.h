/* gp-uuid-private.h: UUID helpers inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

gboolean     gp_uuid_get_short                 (const char             *normalized,
                                                guint32                *out_value);

G_END_DECLS
