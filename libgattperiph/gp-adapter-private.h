/* gp-adapter-private.h: GpAdapter inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

const char  *gp_adapter_get_object_path_internal (GpAdapter            *self);
void         gp_adapter_load_objects           (GpAdapter              *self,
                                                GVariant               *objects);

G_END_DECLS
