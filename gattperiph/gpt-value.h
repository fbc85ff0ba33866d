/* gpt-value.h: bytes as people read them (hex, GATT formats), for the
 * gattperiph tool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char     *gpt_value_to_hex      (const guint8  *data,
                                 gsize          length,
                                 const char    *separator);
GBytes   *gpt_value_from_hex    (const char    *text,
                                 GError       **error);

gboolean  gpt_format_is_known   (const char    *format);
gboolean  gpt_format_is_integer (const char    *format);
gboolean  gpt_format_pack       (const char    *format,
                                 double         number,
                                 GByteArray    *out,
                                 GError       **error);
gboolean  gpt_format_pack_text  (const char    *format,
                                 const char    *text,
                                 double         scale,
                                 GByteArray    *out,
                                 GError       **error);

JsonNode *gpt_value_describe    (JsonNode      *template,
                                 const guint8  *data,
                                 gsize          length);
JsonNode *gpt_presentation_describe (const guint8 *format_descriptor,
                                 gsize          format_length,
                                 const guint8  *data,
                                 gsize          length);
GBytes   *gpt_value_from_json   (JsonNode      *node,
                                 GError       **error);

G_END_DECLS
