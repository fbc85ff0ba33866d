/* gp-advertisement-private.h: GpAdvertisement inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

/* Takes BlueZ's answer to RegisterAdvertisement and makes it actionable. */
GError      *gp_advertisement_explain_error    (GpAdvertisement        *self,
                                                GError                 *error);

G_END_DECLS
