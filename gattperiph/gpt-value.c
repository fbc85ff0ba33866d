/* gpt-value.c: bytes as people read them (hex, GATT formats)
 *
 * The GATT format names are those of the Characteristic Presentation
 * Format (Bluetooth Assigned Numbers, 2.4.1), packed little-endian.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-value.h"

#include <math.h>
#include <string.h>

typedef enum {
  KIND_BOOLEAN,
  KIND_UNSIGNED,
  KIND_SIGNED,
  KIND_FLOAT32,
  KIND_FLOAT64,
  KIND_SFLOAT,
  KIND_MEDFLOAT,
  KIND_UTF8,
} Kind;

typedef struct
{
  const char *name;
  guint8      code;     /* in a Presentation Format descriptor */
  Kind        kind;
  guint       size;     /* bytes; 0: the rest of the value */
} Format;

static const Format formats[] = {
  { "boolean", 0x01, KIND_BOOLEAN, 1 },
  { "uint8", 0x04, KIND_UNSIGNED, 1 },
  { "uint16", 0x06, KIND_UNSIGNED, 2 },
  { "uint24", 0x07, KIND_UNSIGNED, 3 },
  { "uint32", 0x08, KIND_UNSIGNED, 4 },
  { "uint48", 0x09, KIND_UNSIGNED, 6 },
  { "uint64", 0x0a, KIND_UNSIGNED, 8 },
  { "sint8", 0x0c, KIND_SIGNED, 1 },
  { "sint16", 0x0e, KIND_SIGNED, 2 },
  { "sint24", 0x0f, KIND_SIGNED, 3 },
  { "sint32", 0x10, KIND_SIGNED, 4 },
  { "sint48", 0x11, KIND_SIGNED, 6 },
  { "sint64", 0x12, KIND_SIGNED, 8 },
  { "float32", 0x14, KIND_FLOAT32, 4 },
  { "float64", 0x15, KIND_FLOAT64, 8 },
  { "sfloat", 0x16, KIND_SFLOAT, 2 },
  { "float", 0x17, KIND_MEDFLOAT, 4 },
  { "utf8s", 0x19, KIND_UTF8, 0 },
};

static const Format *
lookup (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (formats); i++)
    if (strcmp (formats[i].name, name) == 0)
      return &formats[i];
  return NULL;
}

static const Format *
lookup_code (guint8 code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].code == code)
      return &formats[i];
  return NULL;
}

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

/* Hex digits in pairs, optionally separated by spaces, colons or dashes. */
GBytes *
gpt_value_from_hex (const char  *text,
                    GError     **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const char *p = text;

  if (g_str_has_prefix (p, "0x") || g_str_has_prefix (p, "0X"))
    p += 2;
  while (*p != '\0')
    {
      int hi, lo;
      guint8 byte;

      if (*p == ' ' || *p == ':' || *p == '-')
        {
          p++;
          continue;
        }
      hi = g_ascii_xdigit_value (p[0]);
      lo = hi < 0 ? -1 : g_ascii_xdigit_value (p[1]);
      if (hi < 0 || lo < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "“%s” is not hex (two digits per byte, e.g. “0a 1b”)", text);
          return NULL;
        }
      byte = (guint8) (hi << 4 | lo);
      g_byte_array_append (out, &byte, 1);
      p += 2;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
gpt_format_is_known (const char *format)
{
  return lookup (format) != NULL;
}

gboolean
gpt_format_is_integer (const char *format)
{
  const Format *f = lookup (format);

  return f != NULL && (f->kind == KIND_UNSIGNED || f->kind == KIND_SIGNED || f->kind == KIND_BOOLEAN);
}

static void
append_le (GByteArray *out,
           guint64     bits,
           guint       size)
{
  for (guint i = 0; i < size; i++)
    {
      guint8 b = (guint8) (bits >> (8 * i));
      g_byte_array_append (out, &b, 1);
    }
}

static guint64
read_le (const guint8 *data,
         guint         size)
{
  guint64 v = 0;

  for (guint i = 0; i < size; i++)
    v |= (guint64) data[i] << (8 * i);
  return v;
}

/* IEEE 11073-20601 SFLOAT (4-bit exponent, 12-bit mantissa) and FLOAT
 * (8-bit exponent, 24-bit mantissa): the smallest exponent whose mantissa
 * fits keeps the most digits. */
static guint64
pack_medical (double number,
              guint  mantissa_bits,
              guint  exponent_bits)
{
  gint64 max_mantissa = (1 << (mantissa_bits - 1)) - 3;   /* reserved values above */
  int min_exp = -(1 << (exponent_bits - 1));
  int max_exp = (1 << (exponent_bits - 1)) - 1;
  guint64 mantissa_mask = (1u << mantissa_bits) - 1;

  if (isnan (number))
    return (guint64) (max_mantissa + 2);                    /* NaN: 0x07FF / 0x007FFFFF */
  for (int e = min_exp; e <= max_exp; e++)
    {
      double m = round (number / pow (10, e));

      if (fabs (m) <= (double) max_mantissa)
        return ((guint64) (e & ((1 << exponent_bits) - 1)) << mantissa_bits) |
               ((guint64) (gint64) m & mantissa_mask);
    }
  /* +INFINITY / -INFINITY */
  return number > 0 ? (guint64) (max_mantissa + 1) : ((guint64) (-(max_mantissa + 1)) & mantissa_mask);
}

static double
unpack_medical (guint64 bits,
                guint   mantissa_bits,
                guint   exponent_bits)
{
  gint64 m = (gint64) (bits & ((1u << mantissa_bits) - 1));
  gint64 e = (gint64) (bits >> mantissa_bits) & ((1 << exponent_bits) - 1);
  gint64 max_mantissa = (1 << (mantissa_bits - 1)) - 3;

  if (m == max_mantissa + 2 || m == max_mantissa + 3 || m == max_mantissa + 4)
    return NAN;                       /* NaN, NRes, reserved */
  if (m >= (1 << (mantissa_bits - 1)))
    m -= 1 << mantissa_bits;
  if (e >= (1 << (exponent_bits - 1)))
    e -= 1 << exponent_bits;
  if (m == max_mantissa + 1)
    return INFINITY;
  if (m == -(max_mantissa + 1))
    return -INFINITY;
  return (double) m * pow (10, (double) e);
}

/* Packs @number as @format (not utf8s), checking its range. */
gboolean
gpt_format_pack (const char  *format,
                 double       number,
                 GByteArray  *out,
                 GError     **error)
{
  const Format *f = lookup (format);

  if (f == NULL || f->kind == KIND_UTF8)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a numeric GATT format", format);
      return FALSE;
    }
  switch (f->kind)
    {
    case KIND_BOOLEAN:
    case KIND_UNSIGNED:
      {
        double max = f->kind == KIND_BOOLEAN ? 1 : ldexp (1, 8 * (int) f->size) - 1;

        if (number != floor (number) || number < 0 || number > max)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%g does not fit in %s (0 to %.0f)", number, f->name, max);
            return FALSE;
          }
        append_le (out, (guint64) number, f->size);
        return TRUE;
      }
    case KIND_SIGNED:
      {
        double max = ldexp (1, 8 * (int) f->size - 1) - 1;

        if (number != floor (number) || number < -max - 1 || number > max)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%g does not fit in %s (%.0f to %.0f)", number, f->name, -max - 1, max);
            return FALSE;
          }
        append_le (out, (guint64) (gint64) number, f->size);
        return TRUE;
      }
    case KIND_FLOAT32:
      {
        float v = (float) number;
        guint32 bits;

        memcpy (&bits, &v, sizeof bits);
        append_le (out, bits, 4);
        return TRUE;
      }
    case KIND_FLOAT64:
      {
        guint64 bits;

        memcpy (&bits, &number, sizeof bits);
        append_le (out, bits, 8);
        return TRUE;
      }
    case KIND_SFLOAT:
      append_le (out, pack_medical (number, 12, 4), 2);
      return TRUE;
    case KIND_MEDFLOAT:
      append_le (out, pack_medical (number, 24, 8), 4);
      return TRUE;
    case KIND_UTF8:
    default:
      g_assert_not_reached ();
    }
}

/* Text read from a file or a command, as @format: "raw" (the bytes as
 * they are), "hex", "utf8s" (without the trailing newline), or a numeric
 * format (a decimal number, multiplied by @scale). */
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

  if (g_strcmp0 (format, "raw") == 0 || format == NULL)
    {
      g_byte_array_append (out, (const guint8 *) text, strlen (text));
      return TRUE;
    }
  if (strcmp (format, "hex") == 0)
    {
      g_autoptr(GBytes) bytes = gpt_value_from_hex (stripped, error);

      if (bytes == NULL)
        return FALSE;
      g_byte_array_append (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      return TRUE;
    }
  if (strcmp (format, "utf8s") == 0)
    {
      gsize len = strlen (text);

      while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
      g_byte_array_append (out, (const guint8 *) text, len);
      return TRUE;
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

/* One field of @format at @data, as a JSON number, boolean or string;
 * NULL if @length is too short. *@used: the bytes it took. */
JsonNode *
gpt_format_unpack (const char   *format,
                   const guint8 *data,
                   gsize         length,
                   gsize        *used)
{
  const Format *f = lookup (format);
  JsonNode *node;

  if (f == NULL || length < f->size)
    return NULL;
  node = json_node_alloc ();
  *used = f->size;
  switch (f->kind)
    {
    case KIND_BOOLEAN:
      return json_node_init_boolean (node, data[0] != 0);
    case KIND_UNSIGNED:
      return json_node_init_int (node, (gint64) read_le (data, f->size));
    case KIND_SIGNED:
      {
        guint64 bits = read_le (data, f->size);
        guint shift = 64 - 8 * f->size;

        return json_node_init_int (node, (gint64) (bits << shift) >> shift);
      }
    case KIND_FLOAT32:
      {
        guint32 bits = (guint32) read_le (data, 4);
        float v;

        memcpy (&v, &bits, sizeof v);
        return json_node_init_double (node, v);
      }
    case KIND_FLOAT64:
      {
        guint64 bits = read_le (data, 8);
        double v;

        memcpy (&v, &bits, sizeof v);
        return json_node_init_double (node, v);
      }
    case KIND_SFLOAT:
    case KIND_MEDFLOAT:
      {
        double v = f->kind == KIND_SFLOAT ? unpack_medical (read_le (data, 2), 12, 4)
                                          : unpack_medical (read_le (data, 4), 24, 8);

        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        if (!isfinite (v))
          return json_node_init_string (node, isnan (v) ? "NaN" : v > 0 ? "+INF" : "-INF");
        /* 36.6 rather than 36.600000000000001 */
        g_ascii_formatd (buf, sizeof buf, "%.7g", v);
        return json_node_init_double (node, g_ascii_strtod (buf, NULL));
      }
    case KIND_UTF8:
      {
        g_autofree char *text = g_utf8_make_valid ((const char *) data, (gssize) length);

        *used = length;
        return json_node_init_string (node, text);
      }
    default:
      g_assert_not_reached ();
    }
}

/* The name of the format of a typed value such as {"uint8": 72}: its only
 * member, if that is a known format. */
static const char *
typed_format (JsonNode *node)
{
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  if (json_object_get_size (object) != 1)
    return NULL;
  members = json_object_get_members (object);
  if (strcmp (members->data, "text") == 0)
    return "utf8s";
  return lookup (members->data) != NULL ? members->data : NULL;
}

/* @data read the way @template (a value of the profile: {"uint8": 72}, or
 * a list of such fields) is written: a number, or a list of them. NULL if
 * @template is not typed or @data does not fit it. */
JsonNode *
gpt_value_describe (JsonNode     *template,
                    const guint8 *data,
                    gsize         length)
{
  const char *format;
  gsize used = 0;

  if (template == NULL)
    return NULL;
  format = typed_format (template);
  if (format != NULL)
    {
      JsonNode *node = gpt_format_unpack (format, data, length, &used);

      if (node != NULL && used != length)
        g_clear_pointer (&node, json_node_unref);
      return node;
    }
  if (JSON_NODE_HOLDS_ARRAY (template))
    {
      JsonArray *fields = json_node_get_array (template);
      g_autoptr(JsonArray) out = json_array_new ();
      gsize at = 0;

      if (json_array_get_length (fields) == 0)
        return NULL;
      for (guint i = 0; i < json_array_get_length (fields); i++)
        {
          JsonNode *field;

          format = typed_format (json_array_get_element (fields, i));
          if (format == NULL)
            return NULL;
          /* utf8s in a structure only as the last field */
          field = gpt_format_unpack (format, data + at, length - at, &used);
          if (field == NULL)
            return NULL;
          json_array_add_element (out, field);
          at += used;
        }
      if (at != length)
        return NULL;
      return json_node_init_array (json_node_alloc (), out);
    }
  return NULL;
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
  const Format *f;
  JsonNode *node;
  gsize used = 0;
  gint8 exponent;

  if (format_length < 2 || (f = lookup_code (format_descriptor[0])) == NULL)
    return NULL;
  exponent = (gint8) format_descriptor[1];
  node = gpt_format_unpack (f->name, data, length, &used);
  if (node == NULL || used != length)
    {
      g_clear_pointer (&node, json_node_unref);
      return NULL;
    }
  if (exponent != 0 && (f->kind == KIND_UNSIGNED || f->kind == KIND_SIGNED))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      double v = (double) json_node_get_int (node) * pow (10, exponent);

      g_ascii_formatd (buf, sizeof buf, "%.12g", v);
      json_node_set_double (node, g_ascii_strtod (buf, NULL));
    }
  return node;
}

/* A value as the profile writes it: hex text ("0a 1b"), {"hex": "…"},
 * {"text": "…"}, a typed number ({"uint8": 72}, {"utf8s": "…"}), or a
 * list of these (concatenated). */
static gboolean
append_json_value (JsonNode    *node,
                   GByteArray  *out,
                   GError     **error)
{
  const char *format;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autoptr(GBytes) bytes = gpt_value_from_hex (json_node_get_string (node), error);

      if (bytes == NULL)
        return FALSE;
      g_byte_array_append (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!append_json_value (json_array_get_element (array, i), out, error))
          return FALSE;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *member;

      if (json_object_get_size (object) == 1 &&
          (member = json_object_get_member (object, "hex")) != NULL &&
          JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
        return append_json_value (member, out, error);
      format = typed_format (node);
      if (format != NULL)
        {
          g_autoptr(GList) members = json_object_get_members (object);

          member = json_object_get_member (object, members->data);   /* "text" too */
        }
      if (format != NULL && strcmp (format, "utf8s") == 0 &&
          JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
        {
          const char *text = json_node_get_string (member);

          g_byte_array_append (out, (const guint8 *) text, strlen (text));
          return TRUE;
        }
      if (format != NULL && JSON_NODE_HOLDS_VALUE (member) &&
          (json_node_get_value_type (member) == G_TYPE_INT64 ||
           json_node_get_value_type (member) == G_TYPE_DOUBLE ||
           json_node_get_value_type (member) == G_TYPE_BOOLEAN))
        {
          double number = json_node_get_value_type (member) == G_TYPE_BOOLEAN
                            ? (double) json_node_get_boolean (member)
                            : json_node_get_double (member);

          return gpt_format_pack (format, number, out, error);
        }
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "not a value: give hex text (\"0a 1b\"), {\"text\": \"…\"}, "
                       "a typed number ({\"uint8\": 72}) or a list of these");
  return FALSE;
}

GBytes *
gpt_value_from_json (JsonNode  *node,
                     GError   **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (!append_json_value (node, out, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
