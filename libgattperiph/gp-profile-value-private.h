/* gp-profile-value-private.h: the pieces of GpProfile that are plain
 * functions: typed values, JSON paths, problems, suggestions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

/* Every problem found while reading a profile, in the order found. Errors
 * are "path: message", warnings "path: warning: message". */
typedef struct
{
  GPtrArray *lines;
  guint      n_errors;
  guint      n_warnings;
} GpProfileProblems;

void         gp_profile_problems_init      (GpProfileProblems  *problems);
void         gp_profile_problems_clear     (GpProfileProblems  *problems);
void         gp_profile_problem_error      (GpProfileProblems  *problems,
                                            const char         *path,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (3, 4);
void         gp_profile_problem_warning    (GpProfileProblems  *problems,
                                            const char         *path,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (3, 4);

/* "path.member" (or "member" at the root) and "path[index]". */
char        *gp_profile_path_member        (const char         *path,
                                            const char         *member);
char        *gp_profile_path_index         (const char         *path,
                                            guint               index);

/* The candidate closest to @word (optimal string alignment distance,
 * ignoring case), if it is close enough to be a likely typo; or NULL. */
const char  *gp_profile_suggest            (const char         *word,
                                            const char * const *candidates,
                                            gsize               n_candidates);

/* A JSON description of the node's type, for messages: "a string"... */
const char  *gp_profile_node_kind          (JsonNode           *node);

/* Integers: JSON integers, integral numbers, or strings ("72", "0x48",
 * "-5"). Out of range or malformed: an error at @path, FALSE. */
gboolean     gp_profile_read_uint          (JsonNode           *node,
                                            const char         *path,
                                            guint64             max,
                                            guint64            *out,
                                            GpProfileProblems  *problems);
gboolean     gp_profile_read_int           (JsonNode           *node,
                                            const char         *path,
                                            gint64              min,
                                            gint64              max,
                                            gint64             *out,
                                            GpProfileProblems  *problems);

/* A value in any form of docs/profile-format.md, appended to @out. */
gboolean     gp_profile_read_value         (JsonNode           *node,
                                            const char         *path,
                                            GByteArray         *out,
                                            GpProfileProblems  *problems);

/* The JSON a value is saved as: text for a User Description (0x2901),
 * the presentation object for a Presentation Format (0x2904), hex
 * otherwise. @uuid: the normalised UUID of the attribute. */
JsonNode    *gp_profile_value_to_json      (GBytes             *value,
                                            const char         *uuid);

/* Hex as the format writes it: "0a 1b" ("" when empty). */
char        *gp_profile_hex_encode         (const guint8       *data,
                                            gsize               length);

/* Names of the GATT formats (Presentation Format, 0x01..0x1b). */
const char  *gp_profile_format_name        (guint               format);

G_END_DECLS
