/* fuzz-profile.c: libFuzzer target over the profile loader (GpProfile)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each input is a profile, loaded with gp_profile_load_from_data(). The
 * loader must answer every input with success or a GError whose lines are
 * "json.path: message", never crash, warn or leak. What loads must
 * round-trip: saving it, loading what was saved and saving again gives
 * the same JSON (and so the same tree and values), and each
 * characteristic's value, formatted like the value as written
 * (gp_profile_value_format()), parses back to the same bytes.
 *
 * Seed corpus: corpus/profile/; dictionary: profile.dict. The same file
 * builds without libFuzzer (fuzz-main.c provides main()), to replay the
 * corpus in the unit suite.
 */

#include <gattperiph.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* Real malloc for every GObject, so that LeakSanitizer sees them. */
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  /* A critical or a warning is a bug the input found. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
check_problems (GpProfile *profile)
{
  g_auto(GStrv) problems = gp_profile_check (profile);

  for (guint i = 0; problems[i] != NULL; i++)
    {
      if (strstr (problems[i], ": ") == NULL)
        g_error ("a problem without a path: %s", problems[i]);
      if (!g_utf8_validate (problems[i], -1, NULL))
        g_error ("a problem that is not UTF-8");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(GpProfile) profile = NULL;
  g_autoptr(GpProfile) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  GpApplication *app;

  if (!initialized)
    {
      LLVMFuzzerInitialize (NULL, NULL);
      initialized = TRUE;
    }

  profile = gp_profile_new ();
  if (!gp_profile_load_from_data (profile, (const char *) data, size, &error))
    {
      g_assert_true (error != NULL && error->domain == GP_PROFILE_ERROR);
      g_assert_null (gp_profile_get_application (profile));
      check_problems (profile);
      return 0;
    }
  check_problems (profile);

  /* Every attribute with an id is found by it. */
  app = gp_profile_get_application (profile);
  if (app != NULL)
    {
      g_autoptr(GList) services = gp_application_get_services (app);

      for (GList *s = services; s != NULL; s = s->next)
        {
          g_autoptr(GList) chars = gp_service_get_characteristics (s->data);

          for (GList *c = chars; c != NULL; c = c->next)
            {
              const char *id = gp_profile_get_id (profile, c->data);

              JsonNode *written = gp_profile_get_member (profile, c->data, "value");
              GBytes *value = gp_attribute_get_value (c->data);

              if (id != NULL && gp_profile_lookup (profile, id) != c->data)
                g_error ("lookup (\"%s\") does not find its characteristic", id);
              gp_profile_get_member (profile, c->data, "behavior");
              /* The value formatted the way it was written parses back. */
              if (written != NULL && value != NULL)
                {
                  g_autoptr(JsonNode) formatted = gp_profile_value_format (value, written);
                  g_autoptr(GBytes) back = gp_profile_value_parse (formatted, NULL);

                  if (back == NULL || !g_bytes_equal (back, value))
                    g_error ("gp_profile_value_format () does not parse back");
                }
            }
        }
    }

  /* What loads round-trips. */
  saved = gp_profile_to_data (profile, NULL);
  again = gp_profile_new ();
  if (!gp_profile_load_from_data (again, saved, -1, &error))
    g_error ("what was saved does not load: %s\n%s", error->message, saved);
  saved_again = gp_profile_to_data (again, NULL);
  if (strcmp (saved, saved_again) != 0)
    g_error ("saving is not stable:\n%s\n---\n%s", saved, saved_again);
  return 0;
}
