/* gp-descriptor-private.h: GpDescriptor inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

void         gp_descriptor_set_characteristic  (GpDescriptor           *self,
                                                GpCharacteristic       *characteristic);

G_END_DECLS
