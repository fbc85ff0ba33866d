/* gpt-commands.h: the subcommands of the gattperiph tool, and what they
 * share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gattperiph.h>

G_BEGIN_DECLS

/* Exit statuses: 0 success, 1 failure (or problems found), 2 bad usage. */
#define GPT_EXIT_OK      0
#define GPT_EXIT_FAILED  1
#define GPT_EXIT_USAGE   2

int              gpt_serve_main      (int            argc,
                                      char         **argv);
int              gpt_validate_main   (int            argc,
                                      char         **argv);
int              gpt_clone_main      (int            argc,
                                      char         **argv);

GOptionContext  *gpt_option_context  (const char    *command,
                                      const char    *parameter,
                                      const char    *summary,
                                      const char    *description,
                                      GOptionEntry  *entries);
gboolean         gpt_parse_options   (GOptionContext *context,
                                      int           *argc,
                                      char        ***argv,
                                      int            n_args);

GAsyncResult    *gpt_wait            (GAsyncResult **result);
void             gpt_got_result      (GObject       *source,
                                      GAsyncResult  *result,
                                      gpointer       user_data);

GDBusConnection *gpt_bluez_connect   (GError       **error);
GpAdapter       *gpt_find_adapter    (GDBusConnection *connection,
                                      const char    *name,
                                      GError       **error);

GpProfile       *gpt_load_profile    (const char    *path,
                                      GError       **error);
GPtrArray       *gpt_check_behaviors (GpProfile     *profile);

G_END_DECLS
