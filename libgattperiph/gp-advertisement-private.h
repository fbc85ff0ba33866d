/* gp-advertisement-private.h: GpAdvertisement inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"
#include "gp-advertising-data-private.h"

G_BEGIN_DECLS

/* Takes BlueZ's answer to RegisterAdvertisement and makes it actionable. */
GError      *gp_advertisement_explain_error    (GpAdvertisement        *self,
                                                GError                 *error);

/* What the advertisement says, as plain data (borrowed: valid until the
 * advertisement changes). For GpProfile. */
void         gp_advertisement_get_content      (GpAdvertisement        *self,
                                                GpAdvertisingData      *ad);

G_END_DECLS
