/* gp-service.h: a GATT service
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"

G_BEGIN_DECLS

#define GP_TYPE_SERVICE (gp_service_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpService, gp_service, GP, SERVICE, GObject)

/* Headers that need this type in turn: after its declaration, so that
 * no type is declared twice (C99) whichever header comes first. */
G_END_DECLS
#include "gp-characteristic.h"
G_BEGIN_DECLS

GP_AVAILABLE_IN_ALL
GpService  *gp_service_new                   (const char        *uuid,
                                              gboolean           primary,
                                              GError           **error);
GP_AVAILABLE_IN_ALL
const char *gp_service_get_uuid              (GpService         *self);
GP_AVAILABLE_IN_ALL
gboolean    gp_service_get_primary           (GpService         *self);
GP_AVAILABLE_IN_ALL
guint       gp_service_get_handle            (GpService         *self);
GP_AVAILABLE_IN_ALL
gboolean    gp_service_set_handle            (GpService         *self,
                                              guint              handle,
                                              GError           **error);
GP_AVAILABLE_IN_ALL
gboolean    gp_service_add_characteristic    (GpService         *self,
                                              GpCharacteristic  *characteristic,
                                              GError           **error);
GP_AVAILABLE_IN_ALL
gboolean    gp_service_remove_characteristic (GpService         *self,
                                              GpCharacteristic  *characteristic,
                                              GError           **error);
GP_AVAILABLE_IN_ALL
GList      *gp_service_get_characteristics   (GpService         *self);
GP_AVAILABLE_IN_ALL
gboolean    gp_service_add_include           (GpService         *self,
                                              GpService         *included,
                                              GError           **error);
GP_AVAILABLE_IN_ALL
gboolean    gp_service_remove_include        (GpService         *self,
                                              GpService         *included,
                                              GError           **error);
GP_AVAILABLE_IN_ALL
GList      *gp_service_get_includes          (GpService         *self);

G_END_DECLS
