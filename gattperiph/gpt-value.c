/* gpt-value.c: bytes as people read them, for the gattperiph tool
 *
 * Values are parsed and formatted by the library
 * (gp_profile_value_parse(), gp_profile_value_format()): this file only
 * adapts them to what the behaviours and the log need (a format name and
 * a number, text read from a file or a command, a bare typed number).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-value.h"

#include <gattperiph.h>
#include <math.h>
#include <string.h>

/* "0a 1b 2c" (with @separator " "), "0a1b2c" (with ""). */
char *
gpt_value_to_hex (const guint8 *data,
                  gsize         length,
                  const char   *separator)
{
  GString *s = g_string_sized_new (length * 3 + 1);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (s, "%s%02x", i > 0 ? separator : "", data[i]);
  return g_string_free (s, FALSE);
}

GBytes *
gpt_value_from_json (JsonNode  *node,
                     GError   **error)
{
  return gp_profile_value_parse (node, error);
}

/* Hex digits in pairs, optionally separated by spaces, colons or dashes. */
GBytes *
gpt_value_from_hex (const char  *text,
                    GError     **error)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return gp_profile_value_parse (node, error);
}

/* {"@format": @member}, a typed value. */
static JsonNode *
typed_node (const char *format,
            JsonNode   *member)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_member (object, format, member);
  return json_node_init_object (json_node_alloc (), object);
}

static JsonNode *
number_node (double number)
{
  if (number == floor (number) && fabs (number) < 9007199254740992.0)
    return json_node_init_int (json_node_alloc (), (gint64) number);
  return json_node_init_double (json_node_alloc (), number);
}

/* Whether {"@format": @member} is a value. */
static gboolean
format_accepts (const char *format,
                JsonNode   *member)
{
  g_autoptr(JsonNode) node = typed_node (format, member);
  g_autoptr(GBytes) bytes = gp_profile_value_parse (node, NULL);

  return bytes != NULL;
}

/* A GATT format that holds numbers or text (uint8, sfloat, utf8s…). */
gboolean
gpt_format_is_known (const char *format)
{
  return format != NULL &&
         (format_accepts (format, number_node (1)) ||
          format_accepts (format, json_node_init_string (json_node_alloc (), "1")));
}

gboolean
gpt_format_is_integer (const char *format)
{
  return format != NULL &&
         format_accepts (format, number_node (1)) &&
         !format_accepts (format, number_node (0.5)) &&
         !format_accepts (format, json_node_init_string (json_node_alloc (), "x"));
}

static gboolean
append_parsed (JsonNode    *node,
               GByteArray  *out,
               GError     **error)
{
  g_autoptr(GBytes) bytes = gp_profile_value_parse (node, error);

  if (bytes == NULL)
    return FALSE;
  g_byte_array_append (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return TRUE;
}

/* Packs @number as @format, checking its range. */
gboolean
gpt_format_pack (const char  *format,
                 double       number,
                 GByteArray  *out,
                 GError     **error)
{
  g_autoptr(JsonNode) node = typed_node (format, number_node (number));

  return append_parsed (node, out, error);
}

/* Text read from a file or a command, as @format: "raw" (the bytes as
 * they are), "hex", a text format (utf8s, utf16s, text: without the
 * trailing newline), or a numeric format (a decimal number, multiplied by
 * @scale). */
gboolean
gpt_format_pack_text (const char  *format,
                      const char  *text,
                      double       scale,
                      GByteArray  *out,
                      GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;
  double number;

  if (format == NULL || strcmp (format, "raw") == 0)
    {
      g_byte_array_append (out, (const guint8 *) text, strlen (text));
      return TRUE;
    }
  if (strcmp (format, "hex") == 0)
    {
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), stripped);

      return append_parsed (node, out, error);
    }
  if (!gpt_format_is_integer (format) && format_accepts (format, json_node_init_string (json_node_alloc (), "x")))
    {
      gsize len = strlen (text);
      g_autofree char *line = NULL;
      g_autoptr(JsonNode) node = NULL;

      while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
      line = g_strndup (text, len);
      node = typed_node (format, json_node_init_string (json_node_alloc (), line));
      return append_parsed (node, out, error);
    }
  number = g_ascii_strtod (stripped, &end);
  if (end == stripped || *end != '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“%s” is not a number (for %s)", stripped, format);
      return FALSE;
    }
  number *= scale;
  if (gpt_format_is_integer (format))
    number = round (number);
  return gpt_format_pack (format, number, out, error);
}

/* {"uint8": 72} -> 72, [{"uint8": 1}, {"utf8s": "a"}] -> [1, "a"]. */
static JsonNode *
unwrap (JsonNode *typed)
{
  if (JSON_NODE_HOLDS_OBJECT (typed))
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (typed));

      return json_node_copy (json_object_get_member (json_node_get_object (typed), members->data));
    }
  if (JSON_NODE_HOLDS_ARRAY (typed))
    {
      JsonArray *fields = json_node_get_array (typed);
      g_autoptr(JsonArray) out = json_array_new ();

      for (guint i = 0; i < json_array_get_length (fields); i++)
        json_array_add_element (out, unwrap (json_array_get_element (fields, i)));
      return json_node_init_array (json_node_alloc (), out);
    }
  return json_node_copy (typed);
}

/* @data read the way @template (a value of the profile: {"uint8": 72}, or
 * a list of such fields) is written: a number, or a list of them. NULL if
 * @template is not typed or @data does not fit it. */
JsonNode *
gpt_value_describe (JsonNode     *template,
                    const guint8 *data,
                    gsize         length)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) typed = NULL;

  if (template == NULL || JSON_NODE_HOLDS_VALUE (template))
    return NULL;
  bytes = g_bytes_new (data, length);
  typed = gp_profile_value_format (bytes, template);
  if (JSON_NODE_HOLDS_VALUE (typed))   /* hex: it did not fit */
    return NULL;
  return unwrap (typed);
}

/* @data read as a Characteristic Presentation Format descriptor (0x2904:
 * format, exponent, unit, namespace, description) describes it: a number
 * with the exponent applied, a boolean or a string. */
JsonNode *
gpt_presentation_describe (const guint8 *format_descriptor,
                           gsize         format_length,
                           const guint8 *data,
                           gsize         length)
{
  g_autoptr(JsonObject) any = json_object_new ();
  g_autoptr(JsonNode) like = typed_node ("presentation", json_node_init_object (json_node_alloc (), any));
  g_autoptr(GBytes) descriptor = g_bytes_new (format_descriptor, format_length);
  g_autoptr(JsonNode) presentation = gp_profile_value_format (descriptor, like);
  g_autoptr(JsonNode) field = NULL;
  JsonObject *object;
  JsonNode *node;
  gint64 exponent;

  if (!JSON_NODE_HOLDS_OBJECT (presentation))
    return NULL;
  object = json_object_get_object_member (json_node_get_object (presentation), "presentation");
  node = json_object_get_member (object, "format");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  exponent = json_object_get_int_member (object, "exponent");
  field = typed_node (json_node_get_string (node), json_node_init_int (json_node_alloc (), 0));
  node = gpt_value_describe (field, data, length);
  if (node != NULL && exponent != 0 && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      double v = (double) json_node_get_int (node) * pow (10, (double) exponent);

      g_ascii_formatd (buf, sizeof buf, "%.12g", v);
      json_node_set_double (node, g_ascii_strtod (buf, NULL));
    }
  return node;
}
