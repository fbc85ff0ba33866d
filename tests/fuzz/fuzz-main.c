/* fuzz-main.c: runs a fuzz target's inputs once each, without libFuzzer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: fuzz-NAME-replay FILE-OR-DIRECTORY...
 *
 * Builds every target with any compiler (GCC included), so that the unit
 * suite replays the corpus, regressions included, in every build.
 */

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  /* Named first: a failure's output then says which input it was. */
  g_printerr ("%s\n", path);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  return 1;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static guint
run_path (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;
  guint n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return run_file (path);
  dir = g_dir_open (path, 0, NULL);
  names = g_ptr_array_new_with_free_func (g_free);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* In name order: the same run every time. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    n += run_path (g_ptr_array_index (names, i));
  return n;
}

int
main (int    argc,
      char **argv)
{
  guint n = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    n += run_path (argv[i]);
  g_print ("%s: %u inputs run\n", argv[0], n);
  return 0;
}
