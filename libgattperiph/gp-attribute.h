/* gp-attribute.h: what characteristics and descriptors have in common
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

#define GP_TYPE_ATTRIBUTE (gp_attribute_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GpAttribute, gp_attribute, GP, ATTRIBUTE, GObject)

/* Headers that need this type in turn: after its declaration, so that
 * no type is declared twice (C99) whichever header comes first. */
G_END_DECLS
#include "gp-request.h"
G_BEGIN_DECLS

/**
 * GpAttributeClass:
 * @read_request: class handler of [signal@Attribute::read-request]: the
 *   default answers from the stored value, from the request's offset on
 * @write_request: class handler of [signal@Attribute::write-request]: the
 *   default stores the written bytes at the request's offset
 *
 * The class structure of [class@Attribute]. Subclasses (of
 * [class@Characteristic] or [class@Descriptor]) override the handlers to
 * compute values or act on writes.
 *
 * Since: 0.1
 */
struct _GpAttributeClass
{
  GObjectClass parent_class;

  gboolean (*read_request)  (GpAttribute *self,
                             GpRequest   *request);
  gboolean (*write_request) (GpAttribute *self,
                             GpRequest   *request);

  /*< private >*/
  gpointer padding[12];
};

GP_AVAILABLE_IN_ALL
const char *gp_attribute_get_uuid       (GpAttribute  *self);
GP_AVAILABLE_IN_ALL
GBytes     *gp_attribute_get_value      (GpAttribute  *self);
GP_AVAILABLE_IN_ALL
gboolean    gp_attribute_set_value      (GpAttribute  *self,
                                         GBytes       *value,
                                         GError      **error);
GP_AVAILABLE_IN_ALL
gboolean    gp_attribute_set_value_data (GpAttribute  *self,
                                         const guint8 *data,
                                         gsize         length,
                                         GError      **error);
GP_AVAILABLE_IN_ALL
guint       gp_attribute_get_handle     (GpAttribute  *self);
GP_AVAILABLE_IN_ALL
gboolean    gp_attribute_set_handle     (GpAttribute  *self,
                                         guint         handle,
                                         GError      **error);

G_END_DECLS
