/* gp-profile.c: a whole peripheral described as data (JSON)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gattperiph.h"

/**
 * GpProfile:
 *
 * A whole peripheral described as data (work in progress: the API is
 * final, the implementation follows).
 *
 * Since: 0.1
 */

struct _GpProfile
{
  GObject          parent_instance;
  GpApplication   *application;
  GpAdvertisement *advertisement;
  GpAgent         *agent;
};

G_DEFINE_QUARK (gp-profile-error-quark, gp_profile_error)
G_DEFINE_FINAL_TYPE (GpProfile, gp_profile, G_TYPE_OBJECT)

static void
gp_profile_dispose (GObject *object)
{
  GpProfile *self = GP_PROFILE (object);

  g_clear_object (&self->application);
  g_clear_object (&self->advertisement);
  g_clear_object (&self->agent);
  G_OBJECT_CLASS (gp_profile_parent_class)->dispose (object);
}

static void
gp_profile_class_init (GpProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = gp_profile_dispose;
}

static void
gp_profile_init (GpProfile *self)
{
}

GpProfile *
gp_profile_new (void)
{
  return g_object_new (GP_TYPE_PROFILE, NULL);
}

gboolean
gp_profile_load_from_data (GpProfile *self, const char *data, gssize length, GError **error)
{
  g_return_val_if_fail (GP_IS_PROFILE (self), FALSE);
  g_set_error_literal (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID, "not implemented yet");
  return FALSE;
}

gboolean
gp_profile_load_from_file (GpProfile *self, const char *path, GError **error)
{
  return gp_profile_load_from_data (self, "", 0, error);
}

gboolean
gp_profile_load_from_resource (GpProfile *self, const char *resource_path, GError **error)
{
  return gp_profile_load_from_data (self, "", 0, error);
}

GpApplication *gp_profile_get_application (GpProfile *self) { return self->application; }
void gp_profile_set_application (GpProfile *self, GpApplication *a) { g_set_object (&self->application, a); }
GpAdvertisement *gp_profile_get_advertisement (GpProfile *self) { return self->advertisement; }
void gp_profile_set_advertisement (GpProfile *self, GpAdvertisement *a) { g_set_object (&self->advertisement, a); }
GpAgent *gp_profile_get_agent (GpProfile *self) { return self->agent; }
void gp_profile_set_agent (GpProfile *self, GpAgent *a) { g_set_object (&self->agent, a); }
char *gp_profile_to_data (GpProfile *self, gsize *length) { if (length) *length = 2; return g_strdup ("{}"); }
gboolean gp_profile_save_to_file (GpProfile *self, const char *path, GError **error) { return g_file_set_contents (path, "{}", 2, error); }
GpAttribute *gp_profile_lookup (GpProfile *self, const char *id) { return NULL; }
const char *gp_profile_get_id (GpProfile *self, GpAttribute *attribute) { return NULL; }
JsonNode *gp_profile_get_member (GpProfile *self, GpAttribute *attribute, const char *name) { return NULL; }
char **gp_profile_check (GpProfile *self) { return g_new0 (char *, 1); }
