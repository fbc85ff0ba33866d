/* test-gattperiph-value.c: the gattperiph tool's value helpers (hex, GATT
 * formats, typed descriptions of values)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-value.h"

#include <gattperiph.h>

#include <math.h>

static GBytes *
pack (const char *format,
      double      number)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gpt_format_pack (format, number, out, &error));
  g_assert_no_error (error);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
assert_bytes (GBytes     *bytes,
              const char *hex)
{
  g_autofree char *got = gpt_value_to_hex (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), " ");

  g_assert_cmpstr (got, ==, hex);
}

static void
test_hex (void)
{
  g_autoptr(GBytes) a = gpt_value_from_hex ("0a 1B:2c-3d", NULL);
  g_autoptr(GBytes) b = gpt_value_from_hex ("", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bad = gpt_value_from_hex ("0a 1", &error);

  assert_bytes (a, "0a 1b 2c 3d");
  g_assert_cmpuint (g_bytes_get_size (b), ==, 0);
  g_assert_null (bad);
  g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
}

static void
test_pack_integers (void)
{
  g_autoptr(GBytes) u16 = pack ("uint16", 513);
  g_autoptr(GBytes) u24 = pack ("uint24", 0x123456);
  g_autoptr(GBytes) s16 = pack ("sint16", -5);
  g_autoptr(GBytes) s8 = pack ("sint8", -128);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  assert_bytes (u16, "01 02");
  assert_bytes (u24, "56 34 12");
  assert_bytes (s16, "fb ff");
  assert_bytes (s8, "80");
  g_assert_false (gpt_format_pack ("uint8", 256, out, &error));
  g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (gpt_format_pack ("sint8", -129, out, &error));
  g_clear_error (&error);
  g_assert_false (gpt_format_pack ("uint8", 1.5, out, &error));
  g_clear_error (&error);
  g_assert_false (gpt_format_pack ("nope", 1, out, &error));
  g_assert_cmpuint (out->len, ==, 0);
}

static void
test_medical_floats (void)
{
  /* IEEE 11073 SFLOAT: 36.6 is 366 x 10^-1 -> 0xF16E */
  g_autoptr(GBytes) t = pack ("sfloat", 36.6);
  g_autoptr(GBytes) f = pack ("float", -0.5);
  g_autoptr(GBytes) nan = pack ("sfloat", NAN);
  g_autoptr(JsonNode) sfloat = json_from_string ("{\"sfloat\": 0}", NULL);
  g_autoptr(JsonNode) medfloat = json_from_string ("{\"float\": 0}", NULL);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(JsonNode) back_f = NULL;

  assert_bytes (t, "6e f1");
  assert_bytes (nan, "ff 07");
  back = gpt_value_describe (sfloat, g_bytes_get_data (t, NULL), 2);
  g_assert_cmpfloat_with_epsilon (json_node_get_double (back), 36.6, 1e-9);
  back_f = gpt_value_describe (medfloat, g_bytes_get_data (f, NULL), 4);
  g_assert_cmpfloat_with_epsilon (json_node_get_double (back_f), -0.5, 1e-9);
}

static void
test_pack_text (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  /* a sysfs temperature in millidegrees into 0.01 degrees */
  g_assert_true (gpt_format_pack_text ("sint16", "21537\n", 0.1, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_cmpint ((gint16) (out->data[0] | out->data[1] << 8), ==, 2154);
  g_byte_array_set_size (out, 0);
  g_assert_true (gpt_format_pack_text ("utf8s", "hello\n", 1, out, NULL));
  g_assert_cmpmem (out->data, out->len, "hello", 5);
  g_byte_array_set_size (out, 0);
  g_assert_true (gpt_format_pack_text ("hex", " c0 de\n", 1, out, NULL));
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_false (gpt_format_pack_text ("uint8", "many", 1, out, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_value_from_json (void)
{
  g_autoptr(JsonNode) node = parse ("[\"00\", {\"uint8\": 72}, {\"text\": \"ok\"}, {\"hex\": \"ff\"}, [{\"sint16\": -2}]]");
  g_autoptr(JsonNode) bad = parse ("{\"uint8\": \"many\"}");
  g_autoptr(JsonNode) number = parse ("72");
  g_autoptr(GBytes) bytes = gpt_value_from_json (node, NULL);
  g_autoptr(GError) error = NULL;

  assert_bytes (bytes, "00 48 6f 6b ff fe ff");
  g_assert_null (gpt_value_from_json (bad, &error));
  g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (gpt_value_from_json (number, &error));
  g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
}

static void
test_describe (void)
{
  g_autoptr(JsonNode) single = parse ("{\"uint16\": 1}");
  g_autoptr(JsonNode) fields = parse ("[{\"uint8\": 0}, {\"uint8\": 72}]");
  g_autoptr(JsonNode) text = parse ("{\"text\": \"x\"}");
  g_autoptr(JsonNode) hex = parse ("\"00\"");
  const guint8 two[] = { 0x01, 0x02 };
  const guint8 hi[] = { 'h', 'i' };
  /* Presentation Format: sint16, exponent -2, degrees Celsius */
  const guint8 presentation[] = { 0x0e, 0xfe, 0x2f, 0x27, 0x01, 0x00, 0x00 };
  const guint8 temperature[] = { 0x66, 0x08 };   /* 2150 */
  g_autoptr(JsonNode) a = gpt_value_describe (single, two, 2);
  g_autoptr(JsonNode) b = gpt_value_describe (fields, two, 2);
  g_autoptr(JsonNode) c = gpt_value_describe (text, hi, 2);
  g_autoptr(JsonNode) d = gpt_presentation_describe (presentation, sizeof presentation,
                                                     temperature, sizeof temperature);
  g_autofree char *b_text = json_to_string (b, FALSE);

  g_assert_cmpint (json_node_get_int (a), ==, 513);
  g_assert_cmpstr (b_text, ==, "[1,2]");
  g_assert_cmpstr (json_node_get_string (c), ==, "hi");
  g_assert_cmpfloat_with_epsilon (json_node_get_double (d), 21.5, 1e-9);
  /* no type, or bytes that do not fit it: nothing */
  g_assert_null (gpt_value_describe (hex, two, 2));
  g_assert_null (gpt_value_describe (single, two, 1));
  g_assert_null (gpt_value_describe (fields, two, 1));
  g_assert_null (gpt_value_describe (NULL, two, 2));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gattperiph/value/hex", test_hex);
  g_test_add_func ("/gattperiph/value/pack-integers", test_pack_integers);
  g_test_add_func ("/gattperiph/value/medical-floats", test_medical_floats);
  g_test_add_func ("/gattperiph/value/pack-text", test_pack_text);
  g_test_add_func ("/gattperiph/value/from-json", test_value_from_json);
  g_test_add_func ("/gattperiph/value/describe", test_describe);
  return g_test_run ();
}
