/* gp-profile.h: a whole peripheral described as data (JSON)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "gp-version-macros.h"
#include "gp-attribute.h"
#include "gp-application.h"
#include "gp-advertisement.h"
#include "gp-agent.h"

G_BEGIN_DECLS

/**
 * GP_PROFILE_ERROR:
 *
 * The error domain of [class@Profile].
 *
 * Since: 0.1
 */
#define GP_PROFILE_ERROR (gp_profile_error_quark ())

/**
 * GpProfileError:
 * @GP_PROFILE_ERROR_PARSE: the data is not JSON (the message gives the
 *   line and column)
 * @GP_PROFILE_ERROR_INVALID: the data is JSON but not a valid profile: an
 *   unknown key, a value of the wrong type or out of range, a UUID or flag
 *   the library refuses. The message has one line per problem, each
 *   `json.path: what is wrong`.
 *
 * Error codes in the %GP_PROFILE_ERROR domain. Errors reading a file or a
 * resource keep their own domain (`G_IO_ERROR`, `G_RESOURCE_ERROR`).
 *
 * Since: 0.1
 */
typedef enum {
  GP_PROFILE_ERROR_PARSE,
  GP_PROFILE_ERROR_INVALID,
} GpProfileError;

GP_AVAILABLE_IN_ALL
GQuark gp_profile_error_quark (void);

#define GP_TYPE_PROFILE (gp_profile_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpProfile, gp_profile, GP, PROFILE, GObject)

GP_AVAILABLE_IN_ALL
GpProfile       *gp_profile_new                 (void);
GP_AVAILABLE_IN_ALL
gboolean         gp_profile_load_from_file      (GpProfile        *self,
                                                 const char       *path,
                                                 GError          **error);
GP_AVAILABLE_IN_ALL
gboolean         gp_profile_load_from_data      (GpProfile        *self,
                                                 const char       *data,
                                                 gssize            length,
                                                 GError          **error);
GP_AVAILABLE_IN_ALL
gboolean         gp_profile_load_from_resource  (GpProfile        *self,
                                                 const char       *resource_path,
                                                 GError          **error);
GP_AVAILABLE_IN_ALL
GpApplication   *gp_profile_get_application     (GpProfile        *self);
GP_AVAILABLE_IN_ALL
void             gp_profile_set_application     (GpProfile        *self,
                                                 GpApplication    *application);
GP_AVAILABLE_IN_ALL
GpAdvertisement *gp_profile_get_advertisement   (GpProfile        *self);
GP_AVAILABLE_IN_ALL
void             gp_profile_set_advertisement   (GpProfile        *self,
                                                 GpAdvertisement  *advertisement);
GP_AVAILABLE_IN_ALL
GpAgent         *gp_profile_get_agent           (GpProfile        *self);
GP_AVAILABLE_IN_ALL
void             gp_profile_set_agent           (GpProfile        *self,
                                                 GpAgent          *agent);
GP_AVAILABLE_IN_ALL
char            *gp_profile_to_data             (GpProfile        *self,
                                                 gsize            *length);
GP_AVAILABLE_IN_ALL
gboolean         gp_profile_save_to_file        (GpProfile        *self,
                                                 const char       *path,
                                                 GError          **error);
GP_AVAILABLE_IN_ALL
GpAttribute     *gp_profile_lookup              (GpProfile        *self,
                                                 const char       *id);
GP_AVAILABLE_IN_ALL
const char      *gp_profile_get_id              (GpProfile        *self,
                                                 GpAttribute      *attribute);
GP_AVAILABLE_IN_ALL
JsonNode        *gp_profile_get_member          (GpProfile        *self,
                                                 GpAttribute      *attribute,
                                                 const char       *name);
GP_AVAILABLE_IN_ALL
char           **gp_profile_check               (GpProfile        *self);

GP_AVAILABLE_IN_ALL
GBytes          *gp_profile_value_parse         (JsonNode         *node,
                                                 GError          **error);
GP_AVAILABLE_IN_ALL
JsonNode        *gp_profile_value_format        (GBytes           *value,
                                                 JsonNode         *like);

G_END_DECLS
