/* gpt-validate.c: `gattperiph validate PROFILE.json...`
 *
 * Prints every problem of each profile with its JSON path: what
 * gp_profile_check() finds (as BlueZ would: flags, UUIDs, reserved
 * services and descriptors, the advertising budget) and what is wrong
 * with the characteristics' "behavior" members. Exit 0 if all are clean.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-commands.h"

static gboolean
validate (const char *path,
          gboolean    quiet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpProfile) profile = gpt_load_profile (path, &error);
  g_auto(GStrv) problems = NULL;
  g_autoptr(GPtrArray) behavior_problems = NULL;
  guint n = 0;

  if (profile == NULL)
    {
      /* One message per line: the loader may report several. */
      g_auto(GStrv) lines = g_strsplit (error->message, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
          g_print ("%s: %s\n", path, lines[i]);
      return FALSE;
    }
  problems = gp_profile_check (profile);
  for (; problems != NULL && problems[n] != NULL; n++)
    g_print ("%s: %s\n", path, problems[n]);
  behavior_problems = gpt_check_behaviors (profile);
  for (guint i = 0; i < behavior_problems->len; i++)
    g_print ("%s: %s\n", path, (char *) behavior_problems->pdata[i]);
  n += behavior_problems->len;
  if (n == 0 && !quiet)
    g_print ("%s: OK\n", path);
  return n == 0;
}

int
gpt_validate_main (int    argc,
                   char **argv)
{
  gboolean quiet = FALSE;
  g_auto(GStrv) files = NULL;
  GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing for a clean profile", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    gpt_option_context ("validate", "PROFILE.json…",
                        "Checks profiles as BlueZ would (flags, UUIDs, reserved services and "
                        "descriptors, the advertising budget) and checks each characteristic's "
                        "\"behavior\"; prints every problem as \"FILE: json.path: message\".",
                        "Exit status: 0 if every profile is clean, 1 if one has a problem, 2 on bad usage.",
                        entries);
  g_autoptr(GError) error = NULL;
  gboolean clean = TRUE;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gattperiph: %s\n", error->message);
      return GPT_EXIT_USAGE;
    }
  if (files == NULL || files[0] == NULL)
    {
      g_printerr ("gattperiph: validate: no profile given\n");
      return GPT_EXIT_USAGE;
    }
  for (guint i = 0; files[i] != NULL; i++)
    clean &= validate (files[i], quiet);
  return clean ? GPT_EXIT_OK : GPT_EXIT_FAILED;
}
