/* test-profile.c: GpProfile, profiles as data (no D-Bus needed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gattperiph.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *
profile_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "profiles", name, NULL);
}

static char *
hex (GBytes *bytes)
{
  GString *s = g_string_new (NULL);
  gsize n = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &n) : NULL;

  for (gsize i = 0; i < n; i++)
    g_string_append_printf (s, i == 0 ? "%02x" : " %02x", data[i]);
  return g_string_free (s, FALSE);
}

/* A description of everything in the objects, independent of the JSON
 * writer: two profiles describe the same peripheral if these are equal. */
static void
describe_attribute (GString     *s,
                    GpAttribute *attribute)
{
  g_autofree char *value = hex (gp_attribute_get_value (attribute));

  g_string_append_printf (s, " uuid=%s handle=%u value=[%s]", gp_attribute_get_uuid (attribute),
                          gp_attribute_get_handle (attribute), value);
}

static char *
describe (GpProfile *profile)
{
  GString *s = g_string_new (NULL);
  GpApplication *app = gp_profile_get_application (profile);
  GpAdvertisement *adv = gp_profile_get_advertisement (profile);
  GpAgent *agent = gp_profile_get_agent (profile);

  if (app != NULL)
    {
      g_autoptr(GList) services = gp_application_get_services (app);

      g_string_append_printf (s, "app %s auto=%d window=%u\n", gp_application_get_object_path (app),
                              gp_application_get_auto_register (app),
                              gp_application_get_notification_window (app));
      for (GList *l = services; l != NULL; l = l->next)
        {
          g_autoptr(GList) includes = gp_service_get_includes (l->data);
          g_autoptr(GList) chars = gp_service_get_characteristics (l->data);

          g_string_append_printf (s, " service %s primary=%d handle=%u includes=",
                                  gp_service_get_uuid (l->data), gp_service_get_primary (l->data),
                                  gp_service_get_handle (l->data));
          for (GList *i = includes; i != NULL; i = i->next)
            g_string_append_printf (s, "%d,", g_list_index (services, i->data));
          g_string_append_c (s, '\n');
          for (GList *c = chars; c != NULL; c = c->next)
            {
              g_autoptr(GList) descs = gp_characteristic_get_descriptors (c->data);

              g_string_append_printf (s, "  char flags=0x%x acquire=%d/%d id=%s",
                                      gp_characteristic_get_flags (c->data),
                                      gp_characteristic_get_acquire_notify (c->data),
                                      gp_characteristic_get_acquire_write (c->data),
                                      gp_profile_get_id (profile, c->data));
              describe_attribute (s, c->data);
              g_string_append_c (s, '\n');
              for (GList *d = descs; d != NULL; d = d->next)
                {
                  g_string_append_printf (s, "   desc flags=0x%x id=%s",
                                          gp_descriptor_get_flags (d->data),
                                          gp_profile_get_id (profile, d->data));
                  describe_attribute (s, d->data);
                  g_string_append_c (s, '\n');
                }
            }
        }
    }
  if (adv != NULL)
    {
      const char * const *sul = gp_advertisement_get_service_uuids (adv);
      const char * const *sol = gp_advertisement_get_solicit_uuids (adv);
      g_autofree char *su = sul != NULL ? g_strjoinv (",", (char **) sul) : NULL;
      g_autofree char *so = sol != NULL ? g_strjoinv (",", (char **) sol) : NULL;
      g_autofree char *m1 = hex (gp_advertisement_get_manufacturer_data (adv, 0x004c));
      g_autofree char *m2 = hex (gp_advertisement_get_manufacturer_data (adv, 0xffff));
      g_autofree char *sd = hex (gp_advertisement_get_service_data (adv, "181a"));
      g_autofree char *ad = hex (gp_advertisement_get_advertising_data (adv, 0x26));

      g_string_append_printf (s, "adv %s type=%d name=%s appearance=%d su=%s so=%s m=%s/%s sd=%s "
                              "ad=%s includes=%d disc=%d dt=%u dur=%u to=%u sec=%d iv=%u-%u tx=%d "
                              "auto=%d len=%u\n",
                              gp_advertisement_get_object_path (adv),
                              gp_advertisement_get_advertisement_type (adv),
                              gp_advertisement_get_local_name (adv),
                              gp_advertisement_get_appearance (adv), su, so, m1, m2, sd, ad,
                              gp_advertisement_get_includes (adv),
                              gp_advertisement_get_discoverable (adv),
                              gp_advertisement_get_discoverable_timeout (adv),
                              gp_advertisement_get_duration (adv),
                              gp_advertisement_get_timeout (adv),
                              gp_advertisement_get_secondary_channel (adv),
                              gp_advertisement_get_min_interval (adv),
                              gp_advertisement_get_max_interval (adv),
                              gp_advertisement_get_tx_power (adv),
                              gp_advertisement_get_auto_register (adv),
                              gp_advertisement_get_data_length (adv));
    }
  if (agent != NULL)
    g_string_append_printf (s, "agent %s capability=%d auto=%d\n", gp_agent_get_object_path (agent),
                            gp_agent_get_capability (agent), gp_agent_get_auto_register (agent));
  return g_string_free (s, FALSE);
}

static GpProfile *
load_data (const char *json)
{
  g_autoptr(GpProfile) profile = gp_profile_new ();
  g_autoptr(GError) error = NULL;

  gp_profile_load_from_data (profile, json, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&profile);
}

/* ------------------------------------------------------------------ */

static const struct
{
  const char *value;   /* JSON */
  const char *bytes;   /* hex */
} value_cases[] = {
  { "\"0a 1b\"", "0a 1b" },
  { "\"0A1B\"", "0a 1b" },
  { "\"0a:1b-2c\"", "0a 1b 2c" },
  { "\"\"", "" },
  { "{\"hex\": \"ff 00\"}", "ff 00" },
  { "{\"text\": \"Hé\"}", "48 c3 a9" },
  { "{\"utf8s\": \"ok\"}", "6f 6b" },
  { "{\"utf16s\": \"Hé\"}", "48 00 e9 00" },
  { "{\"boolean\": true}", "01" },
  { "{\"boolean\": 0}", "00" },
  { "{\"uint8\": 72}", "48" },
  { "{\"uint8\": \"0x48\"}", "48" },
  { "{\"uint8\": 255}", "ff" },
  { "{\"uint16\": 513}", "01 02" },
  { "{\"uint24\": 70000}", "70 11 01" },
  { "{\"uint32\": 4000000000}", "00 28 6b ee" },
  { "{\"uint48\": \"0x010203040506\"}", "06 05 04 03 02 01" },
  { "{\"uint64\": \"18446744073709551615\"}", "ff ff ff ff ff ff ff ff" },
  { "{\"sint8\": -5}", "fb" },
  { "{\"sint16\": -5}", "fb ff" },
  { "{\"sint16\": 2150}", "66 08" },
  { "{\"sint24\": -2}", "fe ff ff" },
  { "{\"sint32\": -3}", "fd ff ff ff" },
  { "{\"sint48\": -4}", "fc ff ff ff ff ff" },
  { "{\"sint64\": \"-9223372036854775808\"}", "00 00 00 00 00 00 00 80" },
  { "{\"uint16\": 72.0}", "48 00" },
  /* IEEE 11073 SFLOAT: 36.6 = 366 × 10^-1 = 0xf16e; 72 = 72 × 10^0 */
  { "{\"sfloat\": 36.6}", "6e f1" },
  { "{\"sfloat\": 72}", "48 00" },
  { "{\"sfloat\": -0.5}", "fb ff" },
  { "{\"sfloat\": 0}", "00 00" },
  { "{\"sfloat\": 20000000}", "02 70" },
  { "{\"sfloat\": \"NaN\"}", "ff 07" },
  { "{\"sfloat\": \"NRes\"}", "00 08" },
  { "{\"sfloat\": \"+INF\"}", "fe 07" },
  { "{\"sfloat\": \"-INF\"}", "02 08" },
  /* IEEE 11073 FLOAT: 36.6 = 366 × 10^-1 = 0xff00016e */
  { "{\"float\": 36.6}", "6e 01 00 ff" },
  { "{\"float\": -0.25}", "e7 ff ff fe" },
  { "{\"float\": \"NaN\"}", "ff ff 7f 00" },
  { "{\"float32\": 1.5}", "00 00 c0 3f" },
  { "{\"float64\": -2.75}", "00 00 00 00 00 00 06 c0" },
  /* Structures: lists of values, nested or not */
  { "[{\"uint8\": 0}, {\"uint16\": 72}, \"ff\"]", "00 48 00 ff" },
  { "[[{\"uint8\": 1}], [], [\"02\"]]", "01 02" },
  { "{\"presentation\": {\"format\": \"sint16\", \"exponent\": -2, "
    "\"unit\": \"org.bluetooth.unit.thermodynamic_temperature.degree_celsius\"}}",
    "0e fe 2f 27 01 00 00" },
  { "{\"presentation\": {\"format\": \"uint8\", \"unit\": \"0x27ad\", \"namespace\": 0, "
    "\"description\": 258}}", "04 00 ad 27 00 02 01" },
  { "{\"presentation\": {\"format\": 255, \"unit\": \"percentage\"}}", "ff 00 ad 27 01 00 00" },
};

static void
test_values (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (value_cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"services\": [{\"uuid\": \"180d\", \"characteristics\": "
                                               "[{\"id\": \"c\", \"uuid\": \"2a37\", \"flags\": "
                                               "[\"read\"], \"value\": %s}]}]}",
                                               value_cases[i].value);
      g_autoptr(GpProfile) profile = gp_profile_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *got = NULL;

      g_test_message ("value %s", value_cases[i].value);
      gp_profile_load_from_data (profile, json, -1, &error);
      g_assert_no_error (error);
      got = hex (gp_attribute_get_value (gp_profile_lookup (profile, "c")));
      g_assert_cmpstr (got, ==, value_cases[i].bytes);
    }
}

/* ------------------------------------------------------------------ */

#define CHAR_WITH(members) \
  "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": [{\"uuid\": \"2a37\", " members "}]}]}"
#define VALUE(v) CHAR_WITH ("\"flags\": [\"read\"], \"value\": " v)
#define VPATH "services[0].characteristics[0].value"

static const struct
{
  const char *json;
  const char *problem;   /* the first line of the error */
} error_cases[] = {
  /* Not a profile */
  { "", "$: not valid JSON" },
  { "{", "$: not valid JSON" },
  { "{} {}", "$: not valid JSON: text after the end of the profile, at offset 3" },
  { "{\"services\": []};", "$: not valid JSON: text after the end of the profile, at offset 16" },
  { "2 {}", "$: not valid JSON: a profile is one JSON object; unexpected '{' at offset 2" },
  { "var x = {};", "$: not valid JSON: a profile is one JSON object; unexpected '{' at offset 8" },
  { "[]", "$: a profile is a JSON object, found a list" },
  { "42", "$: a profile is a JSON object, found an integer" },
  { "{\"servces\": []}", "servces: unknown key \"servces\"; did you mean \"services\"?" },
  { "{\"zzz\": 1}", "zzz: unknown key \"zzz\" (one of \"$schema\", \"name\"" },
  { "{\"path\": \"not/a/path\"}", "path: \"not/a/path\" is not a D-Bus object path" },
  { "{\"services\": {}}", "services: expected a list, found an object" },
  { "{\"services\": [1]}", "services[0]: expected an object, found an integer" },
  { "{\"notification-window\": 0}", "notification-window: 0 is out of range (1..4096)" },
  { "{\"notification-window\": 5000}", "notification-window: 5000 is out of range (0..4096)" },
  { "{\"auto-register\": \"yes\"}", "auto-register: expected true or false, found a string" },
  { "{\"name\": 3}", "name: expected a string, found an integer" },
  /* Services */
  { "{\"services\": [{}]}", "services[0]: \"uuid\" is missing" },
  { "{\"services\": [{\"uuid\": \"xyz\"}]}", "services[0].uuid: " },
  { "{\"services\": [{\"uuid\": 180}]}", "services[0].uuid: expected a UUID string (\"180d\"), found an integer" },
  { "{\"services\": [{\"uuid\": \"1800\"}]}", "services[0].uuid: BlueZ owns the" },
  { "{\"services\": [{\"uuid\": \"180d\", \"primary\": 1}]}", "services[0].primary: expected true or false" },
  { "{\"services\": [{\"uuid\": \"180d\", \"handle\": 70000}]}", "services[0].handle: 70000 is out of range (0..65535)" },
  { "{\"services\": [{\"uuid\": \"180d\", \"includes\": [\"bsa\"]}, {\"id\": \"bas\", \"uuid\": \"180f\"}]}",
    "services[0].includes[0]: no service has the id \"bsa\"; did you mean \"bas\"?" },
  { "{\"services\": [{\"uuid\": \"180d\", \"includes\": [3]}]}",
    "services[0].includes[0]: expected the id of a service, found an integer" },
  { "{\"services\": [{\"id\": \"a\", \"uuid\": \"180d\", \"includes\": [\"a\"]}]}", "services[0].includes[0]: " },
  { "{\"services\": [{\"id\": \"a\", \"uuid\": \"180d\"}, {\"id\": \"a\", \"uuid\": \"180f\"}]}",
    "services[1].id: id \"a\" is already used by services[0]" },
  { "{\"services\": [{\"id\": \"\", \"uuid\": \"180d\"}]}", "services[0].id: an id cannot be empty" },
  { "{\"services\": [{\"uuid\": \"180d\", \"caracteristics\": []}]}",
    "services[0].caracteristics: unknown key \"caracteristics\"; did you mean \"characteristics\"?" },
  /* Characteristics */
  { CHAR_WITH ("\"flags\": [\"read\", \"notify\", \"wirte\"]"),
    "services[0].characteristics[0].flags[2]: unknown flag \"wirte\"; did you mean \"write\"?" },
  { CHAR_WITH ("\"flags\": [\"read\", \"nottify\"]"),
    "services[0].characteristics[0].flags[1]: unknown flag \"nottify\"; did you mean \"notify\"?" },
  { CHAR_WITH ("\"flags\": [\"fly\"]"), "services[0].characteristics[0].flags[0]: unknown flag \"fly\" (one of \"broadcast\", \"read\"" },
  { CHAR_WITH ("\"flags\": [1]"), "services[0].characteristics[0].flags[0]: expected a flag name, found an integer" },
  { CHAR_WITH ("\"flags\": \"read\""), "services[0].characteristics[0].flags: expected a list, found a string" },
  { CHAR_WITH ("\"flags\": []"), "services[0].characteristics[0]: " },
  { "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": [{\"uuid\": \"2a37\"}]}]}",
    "services[0].characteristics[0]: \"flags\" is missing" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"vaule\": \"00\""),
    "services[0].characteristics[0].vaule: unknown key \"vaule\"; did you mean \"value\"?" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"behavior\": 3"),
    "services[0].characteristics[0].behavior: expected an object, found an integer" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"acquire-notify\": null"),
    "services[0].characteristics[0].acquire-notify: expected true or false, found null" },
  { CHAR_WITH ("\"flags\": [\"write-without-response\"], \"acquire-write\": 1"),
    "services[0].characteristics[0].acquire-write: expected true or false, found an integer" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"description\": 1"),
    "services[0].characteristics[0].description: expected a string, found an integer" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"presentation\": {\"format\": \"sint61\"}"),
    "services[0].characteristics[0].presentation.format: unknown format \"sint61\"; did you mean \"sint16\"?" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"presentation\": {\"unit\": \"0x2700\"}"),
    "services[0].characteristics[0].presentation: \"format\" is missing" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"presentation\": {\"format\": \"uint8\", \"unit\": "
               "\"org.bluetooth.unit.percentag\"}"),
    "services[0].characteristics[0].presentation.unit: unknown unit \"org.bluetooth.unit.percentag\"; "
    "did you mean \"org.bluetooth.unit.percentage\"?" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"presentation\": {\"format\": \"uint8\", \"exponent\": 200}"),
    "services[0].characteristics[0].presentation.exponent: 200 is out of range (-128..127)" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"presentation\": {\"format\": \"uint8\", \"units\": 1}"),
    "services[0].characteristics[0].presentation.units: unknown key \"units\"; did you mean \"unit\"?" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"descriptors\": [{\"uuid\": \"2902\"}]"),
    "services[0].characteristics[0].descriptors[0]: " },
  { CHAR_WITH ("\"flags\": [\"read\"], \"descriptors\": [{\"flags\": [\"read\"]}]"),
    "services[0].characteristics[0].descriptors[0]: \"uuid\" is missing" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"descriptors\": [{\"uuid\": \"abcd\", \"flags\": [\"notify\"]}]"),
    "services[0].characteristics[0].descriptors[0].flags[0]: unknown flag \"notify\"" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"descriptors\": [{\"uuid\": \"abcd\", \"value\": \"Hello\"}]"),
    "services[0].characteristics[0].descriptors[0].value: \"Hello\" is not hex ('H' at offset 0); "
    "a plain string is hex bytes (\"0a 1b\"): write {\"text\": \"Hello\"} for text" },
  { CHAR_WITH ("\"flags\": [\"read\"], \"handle\": -1"),
    "services[0].characteristics[0].handle: -1 is out of range (0..65535)" },
  /* Values */
  { VALUE ("{\"uint8\": 300}"), VPATH ".uint8: 300 is out of range (0..255)" },
  { VALUE ("{\"uint8\": -1}"), VPATH ".uint8: -1 is out of range (0..255)" },
  { VALUE ("{\"sint8\": 128}"), VPATH ".sint8: 128 is out of range (-128..127)" },
  { VALUE ("{\"sint16\": -32769}"), VPATH ".sint16: -32769 is out of range (-32768..32767)" },
  { VALUE ("{\"uint24\": 16777216}"), VPATH ".uint24: 16777216 is out of range (0..16777215)" },
  { VALUE ("{\"uint64\": \"18446744073709551616\"}"), VPATH ".uint64: \"18446744073709551616\" is not an integer" },
  { VALUE ("{\"sint64\": \"9223372036854775808\"}"), VPATH ".sint64: 9223372036854775808 is out of range" },
  { VALUE ("{\"uint8\": 1.5}"), VPATH ".uint8: 1.5 is not an integer" },
  { VALUE ("{\"uint8\": \"abc\"}"), VPATH ".uint8: \"abc\" is not an integer (decimal, or hex with 0x)" },
  { VALUE ("{\"uint8\": true}"), VPATH ".uint8: expected an integer, found a boolean" },
  { VALUE ("{\"unit8\": 1}"), VPATH ".unit8: unknown value format \"unit8\"; did you mean \"uint8\"?" },
  { VALUE ("{\"uint8\": 1, \"uint16\": 2}"), VPATH ": a typed value has exactly one key, its format ({\"uint8\": 72}); found 2" },
  { VALUE ("{}"), VPATH ": a typed value has exactly one key" },
  { VALUE ("72"), VPATH ": a number needs its format and size" },
  { VALUE ("true"), VPATH ": a value needs its format: {\"boolean\": true}" },
  { VALUE ("null"), VPATH ": expected a value, found null" },
  { VALUE ("\"0a 1\""), VPATH ": \"0a 1\" is not hex: a byte is two hex digits (\"0a\", not \"a\")" },
  { VALUE ("\"0x1234\""), VPATH ": \"0x1234\": hex bytes are written without 0x" },
  { VALUE ("\"hello\""), VPATH ": \"hello\" is not hex ('h' at offset 0)" },
  { VALUE ("[{\"uint8\": 1}, {\"uint8\": 256}]"), VPATH "[1].uint8: 256 is out of range (0..255)" },
  { VALUE ("{\"text\": 5}"), VPATH ".text: expected a string, found an integer" },
  { VALUE ("{\"sfloat\": 1e30}"), VPATH ".sfloat: 1e+30 is out of range for sfloat" },
  { VALUE ("{\"sfloat\": \"lots\"}"), VPATH ".sfloat: \"lots\" is not a number" },
  { VALUE ("{\"float32\": 1e300}"), VPATH ".float32: 1e+300 is out of range for float32" },
  { VALUE ("{\"boolean\": 2}"), VPATH ".boolean: 2 is out of range (0..1)" },
  { VALUE ("{\"uint64\": 1e300}"), VPATH ".uint64: 1e+300 is too large to be exact as a JSON number" },
  { VALUE ("[[[[[[[[[[[[[[[[[[\"00\"]]]]]]]]]]]]]]]]]]"), VPATH "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: structures nest too deeply" },
  { VALUE ("{\"hex\": \"" "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "0000\"}"), VPATH ": " },
  /* Advertisement */
  { "{\"advertisement\": []}", "advertisement: expected an object, found a list" },
  { "{\"advertisement\": {\"local_name\": \"x\"}}",
    "advertisement.local_name: unknown key \"local_name\"; did you mean \"local-name\"?" },
  { "{\"advertisement\": {\"type\": \"peripheal\"}}",
    "advertisement.type: unknown advertisement type \"peripheal\"; did you mean \"peripheral\"?" },
  { "{\"advertisement\": {\"appearance\": 65536}}", "advertisement.appearance: 65536 is out of range (0..65535)" },
  { "{\"advertisement\": {\"service-uuids\": [\"180d\", \"nope\"]}}", "advertisement.service-uuids[1]: " },
  { "{\"advertisement\": {\"manufacturer-data\": {\"apple\": \"00\"}}}",
    "advertisement.manufacturer-data.apple: \"apple\" is not an integer" },
  { "{\"advertisement\": {\"manufacturer-data\": {\"0x10000\": \"00\"}}}",
    "advertisement.manufacturer-data.0x10000: 65536 is out of range (0..65535)" },
  { "{\"advertisement\": {\"manufacturer-data\": {\"76\": \"zz\"}}}",
    "advertisement.manufacturer-data.76: \"zz\" is not hex" },
  { "{\"advertisement\": {\"service-data\": {\"xyz\": \"00\"}}}", "advertisement.service-data.xyz: " },
  { "{\"advertisement\": {\"data\": {\"0x01\": \"06\"}}}", "advertisement: Data: BlueZ refuses AD type 0x01" },
  { "{\"advertisement\": {\"data\": {\"256\": \"06\"}}}", "advertisement.data.256: 256 is out of range (0..255)" },
  { "{\"advertisement\": {\"includes\": [\"tx-powr\"]}}",
    "advertisement.includes[0]: unknown flag \"tx-powr\"; did you mean \"tx-power\"?" },
  { "{\"advertisement\": {\"secondary-channel\": \"1m\"}}",
    "advertisement.secondary-channel: unknown secondary channel \"1m\"; did you mean \"1M\"?" },
  { "{\"advertisement\": {\"tx-power\": 30}}", "advertisement.tx-power: 30 is out of range (-127..20)" },
  { "{\"advertisement\": {\"duration\": 65536}}", "advertisement.duration: 65536 is out of range (0..65535)" },
  { "{\"advertisement\": {\"path\": \"x\"}}", "advertisement.path: \"x\" is not a D-Bus object path" },
  /* Agent */
  { "{\"agent\": {}}", "agent: \"capability\" is missing" },
  { "{\"agent\": {\"capability\": \"NoInputNoOuput\"}}",
    "agent.capability: unknown IO capability \"NoInputNoOuput\"; did you mean \"NoInputNoOutput\"?" },
  { "{\"agent\": {\"capability\": \"DisplayYesNo\", \"pin\": 1}}",
    "agent.pin: unknown key \"pin\" (one of \"capability\", \"path\", \"auto-register\")" },
  { "{\"agent\": 1}", "agent: expected an object, found an integer" },
};

static void
test_errors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr(GpProfile) profile = gp_profile_new ();
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) problems = NULL;

      g_test_message ("profile %s", error_cases[i].json);
      g_assert_false (gp_profile_load_from_data (profile, error_cases[i].json, -1, &error));
      g_assert_error (error, GP_PROFILE_ERROR,
                      g_str_has_prefix (error_cases[i].problem, "$: not valid JSON") ?
                      GP_PROFILE_ERROR_PARSE : GP_PROFILE_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, error_cases[i].problem) &&
          !g_str_has_prefix (error->message, error_cases[i].problem + strlen ("$: ")))
        g_error ("case %" G_GSIZE_FORMAT ": expected \"%s…\", got \"%s\"", i,
                 error_cases[i].problem, error->message);
      /* check() has the same problems, errors first in the order found */
      problems = gp_profile_check (profile);
      g_assert_nonnull (problems[0]);
      g_assert_true (g_str_has_prefix (problems[0], error_cases[i].problem));
      /* nothing was made */
      g_assert_null (gp_profile_get_application (profile));
    }
}

/* Every problem is reported, not only the first. */
static void
test_errors_all (void)
{
  g_autoptr(GpProfile) profile = gp_profile_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_false (gp_profile_load_from_data (profile,
                                             "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": ["
                                             "{\"uuid\": \"2a37\", \"flags\": [\"raed\"]},"
                                             "{\"uuid\": \"2a38\", \"flags\": [\"read\"], \"value\": {\"uint8\": 256}}]}],"
                                             "\"agent\": {\"capability\": \"Nope\"}}", -1, &error));
  g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
  lines = g_strsplit (error->message, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, "services[0].characteristics[0].flags[0]: unknown flag \"raed\"; did you mean \"read\"?");
  g_assert_cmpstr (lines[1], ==, "services[0].characteristics[1].value.uint8: 256 is out of range (0..255)");
  g_assert_true (g_str_has_prefix (lines[2], "agent.capability: unknown IO capability \"Nope\""));
  problems = gp_profile_check (profile);
  g_assert_cmpuint (g_strv_length (problems), ==, 3);
  g_clear_pointer (&problems, g_strfreev);
  g_clear_pointer (&lines, g_strfreev);
  g_clear_error (&error);

  /* Errors and warnings are told apart by kind, not by their text: a key
   * that reads like a warning is still an error. */
  g_assert_false (gp_profile_load_from_data (profile,
                                             "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": ["
                                             "{\"uuid\": \"2a37\", \"flags\": [\"read\"], \"value\": {\"sfloat\": 36.66}, "
                                             "\"a: warning: b\": 1}]}]}", -1, &error));
  g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "services[0].characteristics[0].a: warning: b: unknown key "
                   "\"a: warning: b\" (one of \"id\", \"uuid\", \"flags\", \"handle\", \"value\", "
                   "\"acquire-notify\", \"acquire-write\", \"behavior\", \"description\", \"presentation\", \"descriptors\")");
  problems = gp_profile_check (profile);
  g_assert_cmpuint (g_strv_length (problems), ==, 2);   /* and the sfloat warning */
}

/* A characteristic (or service, descriptor) that cannot be made still has
 * the problems inside it reported, in the same pass. */
static void
test_errors_nested (void)
{
  g_autoptr(GpProfile) profile = gp_profile_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_false (gp_profile_load_from_data (profile,
                                             "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": ["
                                             "{\"uuid\": \"2a37\", \"flags\": [\"wirte\"], \"value\": {\"uint8\": 256},"
                                             " \"presentation\": {\"format\": \"sint17\"},"
                                             " \"descriptors\": [{\"uuid\": \"xyz\", \"value\": \"0g\"},"
                                             "                   {\"uuid\": \"abcd\", \"value\": {\"sint8\": 128}}]},"
                                             "{\"uuid\": \"2a38\", \"value\": \"01\"}]},"
                                             "{\"characteristics\": [{\"uuid\": \"2a39\", \"flags\": [\"write\"], "
                                             "\"value\": {\"uint16\": -1}}]}]}", -1, &error));
  g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
  lines = g_strsplit (error->message, "\n", -1);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (g_strv_length (lines), ==, 9);
  g_assert_cmpstr (lines[0], ==, "services[0].characteristics[0].flags[0]: unknown flag \"wirte\"; did you mean \"write\"?");
  g_assert_cmpstr (lines[1], ==, "services[0].characteristics[0].value.uint8: 256 is out of range (0..255)");
  g_assert_cmpstr (lines[2], ==, "services[0].characteristics[0].presentation.format: unknown format \"sint17\"; did you mean \"sint12\"?");
  g_assert_true (g_str_has_prefix (lines[3], "services[0].characteristics[0].descriptors[0].uuid: "));
  g_assert_true (g_str_has_prefix (lines[4], "services[0].characteristics[0].descriptors[0].value: \"0g\" is not hex"));
  g_assert_cmpstr (lines[5], ==, "services[0].characteristics[0].descriptors[1].value.sint8: 128 is out of range (-128..127)");
  g_assert_true (g_str_has_prefix (lines[6], "services[0].characteristics[1]: \"flags\" is missing"));
  g_assert_cmpstr (lines[7], ==, "services[1]: \"uuid\" is missing");
  g_assert_cmpstr (lines[8], ==, "services[1].characteristics[0].value.uint16: -1 is out of range (0..65535)");
}

/* Input that is not UTF-8: every problem line and the error are text
 * (found by fuzz-profile: json-glib keeps such bytes in keys and strings,
 * and quotes them in its own errors). */
static void
test_errors_not_utf8 (void)
{
  const char *inputs[] = {
    "{\"services\": [{\"uuid\": \"180d\", \"\xff\xfe\": 1}]}",
    "{\"services\": [{\"uuid\": \"18\xc3\", \"primary\": true}]}",
    "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": [{\"uuid\": \"2a37\", "
    "\"flags\": [\"re\xe2\x82" "ad\"]}]}]}",
    "{\"services\": \xff}",
    "{\"advertisement\": {\"local-name\": 7, \"\x80\": \"\x80\"}}",
    /* escapes json-glib decodes into bytes that are not UTF-8 */
    "{\"services\": [{\"uuid\": \"180d\", \"\\ud800\": 1}]}",
    "{\"services\": [{\"uuid\": \"\\udc80\\ud800x\"}]}",
    "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": [{\"uuid\": \"2a37\", "
    "\"flags\": [\"\\ud83d\"], \"value\": {\"utf8s\": \"\\udfff\"}}]}]}",
    "{\"services\": [{\"uuid\": \"180d\", \"x\\u0000y\": 1}]}",
    /* \u escapes without four hex digits: json-glib 1.6 reads on in its own
     * way and leaked on the first (found by fuzz-profile) */
    "\"\\ud83`\\u\"notify\"d8tify\"d83d",
    "{\"services\": [{\"uuid\": \"\\uzzzz\"}]}",
    "{\"services\": [{\"uuid\": \"18\\u0d\"}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GpProfile) profile = gp_profile_new ();
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) problems = NULL;

      g_assert_false (gp_profile_load_from_data (profile, inputs[i], -1, &error));
      g_assert_nonnull (error);
      g_test_message ("%u: %s", i, error->message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      problems = gp_profile_check (profile);
      g_assert_nonnull (problems[0]);
      for (guint j = 0; problems[j] != NULL; j++)
        g_assert_true (g_utf8_validate (problems[j], -1, NULL));
      /* Half a surrogate pair is refused before json-glib, which leaks on
       * some (ASan) and decodes others into bytes that are not UTF-8. */
      if (i >= 5 && i <= 7)
        g_assert_nonnull (strstr (error->message, "surrogate"));
      if (i >= 9)
        g_assert_nonnull (strstr (error->message, "four hex digits"));
    }

  /* A whole pair is fine. */
  {
    g_autoptr(GpProfile) profile = gp_profile_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (gp_profile_load_from_data (profile,
                                              "{\"services\": [{\"uuid\": \"180d\", \"characteristics\": "
                                              "[{\"uuid\": \"2a37\", \"flags\": [\"read\"], "
                                              "\"value\": {\"utf8s\": \"\\ud83d\\ude00\"}}]}]}", -1, &error));
    g_assert_no_error (error);
  }
}

static JsonNode *
json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* @value formatted like @like, as JSON text; and it parses back. */
static char *
format_like (const char *value_hex,
             const char *like)
{
  g_autoptr(JsonNode) hex_node = json_node_init_string (json_node_alloc (), value_hex);
  g_autoptr(GBytes) value = gp_profile_value_parse (hex_node, NULL);
  g_autoptr(JsonNode) like_node = like != NULL ? json (like) : NULL;
  g_autoptr(JsonNode) formatted = gp_profile_value_format (value, like_node);
  g_autoptr(GBytes) back = gp_profile_value_parse (formatted, NULL);

  g_assert_nonnull (back);
  g_assert_true (g_bytes_equal (back, value));
  return json_to_string (formatted, FALSE);
}

/* The public typed values: parse and format. */
static void
test_value_api (void)
{
  static const struct { const char *json; const char *hex; } good[] = {
    { "\"0a 1B:2c\"", "0a 1b 2c" },
    { "{\"uint8\": 72}", "48" },
    { "{\"uint24\": \"0x123456\"}", "56 34 12" },
    { "{\"sint16\": -5}", "fb ff" },
    { "{\"uint64\": \"18446744073709551615\"}", "ff ff ff ff ff ff ff ff" },
    { "{\"sint64\": \"-9223372036854775808\"}", "00 00 00 00 00 00 00 80" },
    { "{\"boolean\": true}", "01" },
    { "{\"sfloat\": 36.6}", "6e f1" },
    { "{\"float\": -0.5}", "fb ff ff ff" },
    { "{\"sfloat\": \"NaN\"}", "ff 07" },
    { "{\"float32\": 1.5}", "00 00 c0 3f" },
    { "{\"utf8s\": \"hi\"}", "68 69" },
    { "{\"utf16s\": \"hi\"}", "68 00 69 00" },
    { "[{\"uint8\": 6}, {\"uint16\": 72}, [{\"hex\": \"ff\"}]]", "06 48 00 ff" },
    { "{\"presentation\": {\"format\": \"sint16\", \"exponent\": -2, \"unit\": \"0x272f\"}}",
      "0e fe 2f 27 01 00 00" },
  };
  static const struct { const char *json; const char *message; } bad[] = {
    { "{\"uint8\": 256}", "uint8: 256 is out of range (0..255)" },
    { "{\"sint8\": -129}", "sint8: -129 is out of range (-128..127)" },
    { "{\"boolean\": 2}", "boolean: 2 is out of range (0..1)" },
    { "{\"uint64\": -1}", "uint64: -1 is out of range (0..18446744073709551615)" },
    { "{\"uint8\": 1.5}", "uint8: 1.5 is not an integer" },
    { "{\"unit8\": 1}", "unit8: unknown value format \"unit8\"; did you mean \"uint8\"?" },
    { "72", "$: a number needs its format and size: {\"uint8\": …}, {\"sint16\": …}, {\"sfloat\": …}…" },
    { "[{\"uint8\": 1}, {\"uint16\": 70000}]", "[1].uint16: 70000 is out of range (0..65535)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(JsonNode) node = json (good[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = gp_profile_value_parse (node, &error);
      g_autofree char *got = NULL;

      g_assert_no_error (error);
      got = hex (bytes);
      g_assert_cmpstr (got, ==, good[i].hex);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = json (bad[i].json);
      g_autoptr(GError) error = NULL;

      g_assert_null (gp_profile_value_parse (node, &error));
      g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, bad[i].message);
    }

  /* Formatting: the shape of @like, with the numbers of the bytes */
  {
    static const struct { const char *hex; const char *like; const char *expected; } cases[] = {
      { "01 02", "{\"uint16\": 72}", "{\"uint16\":513}" },
      { "fb ff", "{\"sint16\": 0}", "{\"sint16\":-5}" },
      { "ff ff ff ff ff ff ff ff", "{\"uint64\": 0}", "{\"uint64\":\"18446744073709551615\"}" },
      { "01", "{\"boolean\": false}", "{\"boolean\":true}" },
      { "06 48 00", "[{\"uint8\": 0}, {\"uint16\": 0}]", "[{\"uint8\":6},{\"uint16\":72}]" },
      { "06 68 69", "[{\"uint8\": 0}, {\"text\": \"\"}]", "[{\"uint8\":6},{\"text\":\"hi\"}]" },
      { "68 00 69 00", "{\"utf16s\": \"\"}", "{\"utf16s\":\"hi\"}" },
      { "ff 07", "{\"sfloat\": 0}", "{\"sfloat\":\"NaN\"}" },
      { "00 00 c0 3f", "{\"float32\": 0}", "{\"float32\":1.5}" },
      { "0e fe 2f 27 01 00 00", "{\"presentation\": {}}",
        "{\"presentation\":{\"format\":\"sint16\",\"exponent\":-2,\"unit\":\"org.bluetooth.unit.thermodynamic_temperature.degree_celsius\"}}" },
      /* what does not fit is hex */
      { "01 02", NULL, "\"01 02\"" },
      { "01 02", "\"00\"", "\"01 02\"" },
      { "01 02 03", "{\"uint16\": 0}", "\"01 02 03\"" },
      { "01", "{\"uint16\": 0}", "\"01\"" },
      { "02", "{\"boolean\": 0}", "\"02\"" },
      { "ff fe", "{\"text\": \"\"}", "\"ff fe\"" },
      { "68 00", "{\"text\": \"\"}", "\"68 00\"" },
      { "01", "{\"nope\": 0}", "\"01\"" },
      { "01", "{\"uint8\": 0, \"uint16\": 0}", "\"01\"" },
      /* 360 x 10^-1 is 36, but 36 is written back as 36 x 10^0 */
      { "68 f1", "{\"sfloat\": 0}", "\"68 f1\"" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *got = format_like (cases[i].hex, cases[i].like);

        g_assert_cmpstr (got, ==, cases[i].expected);
      }
  }
  {
    g_autofree char *sfloat = format_like ("6e f1", "{\"sfloat\": 0}");
    g_autoptr(JsonNode) node = json (sfloat);

    g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (node), "sfloat"), ==, 36.6);
  }
}

/* A profile that fails to load leaves the previous one in place. */
static void
test_failed_load_keeps (void)
{
  g_autofree char *path = profile_path ("minimal.json");
  g_autoptr(GpProfile) profile = gp_profile_new ();
  g_autoptr(GError) error = NULL;
  GpApplication *app;

  g_assert_true (gp_profile_load_from_file (profile, path, &error));
  g_assert_no_error (error);
  app = gp_profile_get_application (profile);
  g_assert_nonnull (app);
  g_assert_false (gp_profile_load_from_data (profile, "{\"services\": 1}", -1, &error));
  g_assert_true (gp_profile_get_application (profile) == app);
  g_assert_nonnull (gp_profile_lookup (profile, "hrm"));
  g_clear_error (&error);

  g_assert_false (gp_profile_load_from_file (profile, "/nonexistent/profile.json", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* ------------------------------------------------------------------ */

static void
test_round_trip (void)
{
  g_autofree char *path = profile_path ("full.json");
  g_autoptr(GpProfile) first = gp_profile_new ();
  g_autoptr(GpProfile) second = gp_profile_new ();
  g_autoptr(GpProfile) third = gp_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *d1 = NULL, *d2 = NULL, *d3 = NULL;
  g_autofree char *j1 = NULL, *j2 = NULL;
  g_auto(GStrv) problems = NULL;
  g_autofree char *tmp = NULL;
  int fd;

  g_assert_true (gp_profile_load_from_file (first, path, &error));
  g_assert_no_error (error);
  problems = gp_profile_check (first);
  for (guint i = 0; problems[i] != NULL; i++)
    g_test_message ("%s", problems[i]);
  d1 = describe (first);
  g_test_message ("%s", d1);

  j1 = gp_profile_to_data (first, NULL);
  g_assert_true (gp_profile_load_from_data (second, j1, -1, &error));
  g_assert_no_error (error);
  d2 = describe (second);
  g_assert_cmpstr (d1, ==, d2);
  j2 = gp_profile_to_data (second, NULL);
  g_assert_cmpstr (j1, ==, j2);

  /* Through a file too */
  fd = g_file_open_tmp ("profile-XXXXXX.json", &tmp, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (gp_profile_save_to_file (second, tmp, &error));
  g_assert_no_error (error);
  g_assert_true (gp_profile_load_from_file (third, tmp, &error));
  g_assert_no_error (error);
  d3 = describe (third);
  g_assert_cmpstr (d1, ==, d3);
  g_unlink (tmp);

  /* Spot checks that the description is not vacuous */
  g_assert_nonnull (strstr (d1, "service 0000180f-0000-1000-8000-00805f9b34fb primary=0 handle=64 includes=\n"));
  g_assert_nonnull (strstr (d1, "service 0000181a-0000-1000-8000-00805f9b34fb primary=1 handle=0 includes=0,\n"));
  g_assert_nonnull (strstr (d1, "acquire=1/0 id=temperature uuid=00002a6e-0000-1000-8000-00805f9b34fb handle=80 value=[66 08]"));
  g_assert_nonnull (strstr (d1, "acquire=0/1 id=record uuid="));
  /* acquire-notify is off by default: only a characteristic that turned
   * it on is saved with it. */
  g_assert_nonnull (strstr (d1, "acquire=0/0 id=level uuid="));
  g_assert_nonnull (strstr (j1, "\"acquire-notify\" : true"));
  g_assert_null (strstr (j1, "\"acquire-notify\" : false"));
  g_assert_nonnull (strstr (d1, "adv /com/example/everything/adv type=0 name=Everything appearance=832 "
                                "su=181a so=180f m=02 15/07 00 sd=d8 ff ad=01 includes=1 disc=0 dt=30 "
                                "dur=2 to=600 sec=1 iv=100-200 tx=-8 auto=0"));
  g_assert_nonnull (strstr (d1, "agent /com/example/everything/agent capability=1 auto=0\n"));
  /* Typed values keep their form */
  g_assert_nonnull (strstr (j1, "\"sint16\" : 2150"));
  g_assert_nonnull (strstr (j1, "\"sfloat\" : 36.6"));
}

/* Changed values are saved as they are now. */
static void
test_round_trip_changed (void)
{
  g_autoptr(GpProfile) profile = load_data ("{\"services\": [{\"uuid\": \"180d\", \"characteristics\": ["
                                            "{\"id\": \"c\", \"uuid\": \"2a37\", \"flags\": [\"read\"], "
                                            "\"value\": {\"uint16\": 72}}]}]}");
  g_autoptr(GpProfile) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *value = NULL;

  gp_attribute_set_value_data (gp_profile_lookup (profile, "c"), (guint8[]) { 1, 2, 3 }, 3, &error);
  g_assert_no_error (error);
  json = gp_profile_to_data (profile, NULL);
  g_assert_null (strstr (json, "uint16"));
  g_assert_nonnull (strstr (json, "\"01 02 03\""));
  again = load_data (json);
  value = hex (gp_attribute_get_value (gp_profile_lookup (again, "c")));
  g_assert_cmpstr (value, ==, "01 02 03");
}

/* A tree built in code saves and loads back the same. */
static void
test_round_trip_code (void)
{
  g_autoptr(GpProfile) profile = gp_profile_new ();
  g_autoptr(GpProfile) loaded = NULL;
  g_autoptr(GpApplication) app = gp_application_new ("/com/example/code");
  g_autoptr(GpService) bas = gp_service_new ("180f", FALSE, NULL);
  g_autoptr(GpService) main_service = gp_service_new ("0000fff0-0000-1000-8000-00805f9b34fb", TRUE, NULL);
  g_autoptr(GpCharacteristic) c = gp_characteristic_new ("fff1", GP_CHARACTERISTIC_FLAGS_READ |
                                                         GP_CHARACTERISTIC_FLAGS_INDICATE |
                                                         GP_CHARACTERISTIC_FLAGS_SECURE_READ, NULL);
  g_autoptr(GpCharacteristic) stream = gp_characteristic_new ("fff3", GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE, NULL);
  g_autoptr(GpDescriptor) user = gp_descriptor_new_user_description ("Level", NULL);
  g_autoptr(GpDescriptor) pf = gp_descriptor_new ("2904", GP_DESCRIPTOR_FLAGS_READ, NULL);
  g_autoptr(GpDescriptor) bin = gp_descriptor_new ("fff2", GP_DESCRIPTOR_FLAGS_READ | GP_DESCRIPTOR_FLAGS_WRITE, NULL);
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new ();
  g_autoptr(GpAgent) agent = gp_agent_new (GP_AGENT_CAPABILITY_KEYBOARD_ONLY);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) md = g_bytes_new_static ("\x01\x02", 2);
  g_autofree char *json = NULL, *d1 = NULL, *d2 = NULL;

  gp_attribute_set_value_data (GP_ATTRIBUTE (c), (guint8[]) { 0, 0xff, 0x80 }, 3, &error);
  gp_attribute_set_value_data (GP_ATTRIBUTE (pf), (guint8[]) { 0x04, 0x00, 0xad, 0x27, 0x01, 0x00, 0x00 }, 7, &error);
  gp_attribute_set_value_data (GP_ATTRIBUTE (bin), (guint8[]) { 0x00, 'A', 0xfe }, 3, &error);
  g_assert_no_error (error);
  gp_attribute_set_handle (GP_ATTRIBUTE (c), 200, &error);
  gp_service_set_handle (main_service, 190, &error);
  gp_characteristic_add_descriptor (c, user, &error);
  gp_characteristic_add_descriptor (c, pf, &error);
  gp_characteristic_add_descriptor (c, bin, &error);
  gp_service_add_characteristic (main_service, c, &error);
  gp_characteristic_set_acquire_write (stream, TRUE);
  gp_characteristic_set_acquire_notify (c, TRUE);
  gp_service_add_characteristic (main_service, stream, &error);
  gp_service_add_include (main_service, bas, &error);
  gp_application_add_service (app, bas, &error);
  gp_application_add_service (app, main_service, &error);
  g_assert_no_error (error);
  gp_application_set_notification_window (app, 100);

  gp_advertisement_set_advertisement_type (adv, GP_ADVERTISEMENT_TYPE_BROADCAST);
  gp_advertisement_set_manufacturer_data (adv, 0xffff, md);
  gp_advertisement_set_service_data (adv, "181a", md);
  gp_advertisement_set_advertising_data (adv, 0x26, md);
  gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME);
  gp_advertisement_set_secondary_channel (adv, GP_SECONDARY_CHANNEL_CODED);

  gp_profile_set_application (profile, app);
  gp_profile_set_advertisement (profile, adv);
  gp_profile_set_agent (profile, agent);
  g_assert_true (gp_profile_get_advertisement (profile) == adv);
  g_assert_true (gp_profile_get_agent (profile) == agent);

  d1 = describe (profile);
  json = gp_profile_to_data (profile, NULL);
  g_test_message ("%s", json);
  loaded = gp_profile_new ();
  gp_profile_load_from_data (loaded, json, -1, &error);
  g_assert_no_error (error);
  d2 = describe (loaded);
  /* The advertisement's path is the library's choice: not saved. */
  g_assert_true (g_str_has_prefix (gp_advertisement_get_object_path (gp_profile_get_advertisement (loaded)),
                                   "/org/gattperiph/advertisement"));
  {
    g_autofree char *p1 = g_strdup (gp_advertisement_get_object_path (adv));
    const char *p2 = gp_advertisement_get_object_path (gp_profile_get_advertisement (loaded));
    GString *s = g_string_new (d2);

    g_string_replace (s, p2, p1, 1);
    g_free (d2);
    d2 = g_string_free (s, FALSE);
  }
  g_assert_cmpstr (d1, ==, d2);
  g_assert_nonnull (strstr (d1, "acquire=1/0 id=(null) uuid=0000fff1-"));
  g_assert_nonnull (strstr (json, "\"acquire-notify\" : true"));
  g_assert_nonnull (strstr (json, "\"text\" : \"Level\""));
  g_assert_nonnull (strstr (json, "\"unit\" : \"org.bluetooth.unit.percentage\""));
  g_assert_nonnull (strstr (json, "\"includes\" : [\n        \"service0\""));
}

/* ------------------------------------------------------------------ */

static void
test_lookup_member (void)
{
  g_autofree char *path = profile_path ("full.json");
  g_autoptr(GpProfile) profile = gp_profile_new ();
  g_autoptr(GError) error = NULL;
  GpAttribute *temperature, *cfg;
  JsonNode *behavior, *value;
  g_autofree char *value_text = NULL;
  g_autoptr(GList) descriptors = NULL;

  g_assert_true (gp_profile_load_from_file (profile, path, &error));
  g_assert_no_error (error);

  temperature = gp_profile_lookup (profile, "temperature");
  g_assert_true (GP_IS_CHARACTERISTIC (temperature));
  g_assert_cmpstr (gp_attribute_get_uuid (temperature), ==, "00002a6e-0000-1000-8000-00805f9b34fb");
  g_assert_cmpstr (gp_profile_get_id (profile, temperature), ==, "temperature");
  cfg = gp_profile_lookup (profile, "cfg");
  g_assert_true (GP_IS_DESCRIPTOR (cfg));
  g_assert_null (gp_profile_lookup (profile, "bas"));   /* a service */
  g_assert_null (gp_profile_lookup (profile, "nothing"));

  behavior = gp_profile_get_member (profile, temperature, "behavior");
  g_assert_nonnull (behavior);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (behavior));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (behavior), "read"), ==, "value");
  g_assert_true (json_object_has_member (json_node_get_object (behavior), "notify"));
  g_assert_nonnull (gp_profile_get_member (profile, temperature, "comment"));
  g_assert_nonnull (gp_profile_get_member (profile, temperature, "x-vendor"));
  /* "value": as written, not as bytes */
  value = gp_profile_get_member (profile, temperature, "value");
  g_assert_nonnull (value);
  value_text = json_to_string (value, FALSE);
  g_assert_cmpstr (value_text, ==, "{\"sint16\":2150}");
  g_assert_cmpstr (json_node_get_string (gp_profile_get_member (profile, cfg, "value")), ==, "01 02 03");
  g_assert_nonnull (gp_profile_get_member (profile, cfg, "x-note"));
  g_assert_null (gp_profile_get_member (profile, gp_profile_lookup (profile, "level"), "behavior"));

  /* The shorthands made the descriptors, in order */
  descriptors = gp_characteristic_get_descriptors (GP_CHARACTERISTIC (temperature));
  g_assert_cmpuint (g_list_length (descriptors), ==, 2);
  g_assert_cmpstr (gp_attribute_get_uuid (descriptors->data), ==, "00002901-0000-1000-8000-00805f9b34fb");
  g_assert_cmpstr (gp_attribute_get_uuid (descriptors->next->data), ==, "00002904-0000-1000-8000-00805f9b34fb");

  /* A new application forgets the old ids */
  gp_profile_set_application (profile, NULL);
  g_assert_null (gp_profile_lookup (profile, "temperature"));
  g_assert_nonnull (gp_profile_get_advertisement (profile));
}

static void
test_resource (void)
{
  g_autoptr(GpProfile) profile = gp_profile_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gp_profile_load_from_resource (profile, "/org/gattperiph/tests/minimal.json", &error));
  g_assert_no_error (error);
  g_assert_nonnull (gp_profile_lookup (profile, "hrm"));
  g_assert_cmpstr (gp_application_get_object_path (gp_profile_get_application (profile)), ==,
                   "/org/gattperiph/application");

  g_assert_false (gp_profile_load_from_resource (profile, "/org/gattperiph/tests/missing.json", &error));
  g_assert_error (error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND);
}

static void
test_warnings (void)
{
  g_autoptr(GpProfile) profile = NULL;
  g_auto(GStrv) problems = NULL;

  /* Advertising data over the 31 bytes of legacy advertising */
  profile = load_data ("{\"advertisement\": {\"local-name\": \"Monitor\", \"service-uuids\": "
                       "[\"12345678-1234-5678-1234-56789abcdef0\", \"12345678-1234-5678-1234-56789abcdef1\"]}}");
  problems = gp_profile_check (profile);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_true (g_str_has_prefix (problems[0], "advertisement: warning: "));
  g_assert_nonnull (strstr (problems[0], "31"));
  g_assert_nonnull (gp_profile_get_advertisement (profile));
  g_clear_pointer (&problems, g_strfreev);
  g_clear_object (&profile);

  /* Within budget: nothing to say */
  profile = load_data ("{\"advertisement\": {\"local-name\": \"HR\", \"service-uuids\": [\"180d\"]}}");
  problems = gp_profile_check (profile);
  g_assert_cmpuint (g_strv_length (problems), ==, 0);
  g_clear_pointer (&problems, g_strfreev);
  g_clear_object (&profile);

  /* A value sfloat rounds, and a value its Presentation Format does not fit */
  profile = load_data (CHAR_WITH ("\"flags\": [\"read\"], \"value\": {\"sfloat\": 36.66}, "
                                  "\"presentation\": {\"format\": \"uint32\"}"));
  problems = gp_profile_check (profile);
  g_assert_cmpuint (g_strv_length (problems), ==, 2);
  g_assert_cmpstr (problems[0], ==, VPATH ".sfloat: warning: sfloat cannot hold 36.659999999999997 "
                   "exactly: stored as 367e-1");
  g_assert_cmpstr (problems[1], ==, "services[0].characteristics[0]: warning: the value has 2 bytes, "
                   "but its Presentation Format says uint32 (4 bytes)");
}

/* Whatever the bytes, loading answers (every prefix of a valid profile,
 * and deep nesting). */
static void
test_truncated (void)
{
  g_autofree char *path = profile_path ("full.json");
  g_autofree char *contents = NULL;
  gsize length;
  GString *deep = g_string_new (NULL);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* Every prefix would take minutes under AddressSanitizer: every 7th
   * (the fuzz target goes further). */
  for (gsize n = 0; n < length; n += 7)
    {
      g_autoptr(GpProfile) profile = gp_profile_new ();

      gp_profile_load_from_data (profile, contents, n, NULL);
    }

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  {
    g_autoptr(GpProfile) profile = gp_profile_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (gp_profile_load_from_data (profile, deep->str, deep->len, &error));
    g_assert_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_PARSE);
  }
  g_string_free (deep, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/profile/values", test_values);
  g_test_add_func ("/profile/errors", test_errors);
  g_test_add_func ("/profile/errors-all", test_errors_all);
  g_test_add_func ("/profile/errors-nested", test_errors_nested);
  g_test_add_func ("/profile/errors-not-utf8", test_errors_not_utf8);
  g_test_add_func ("/profile/value-api", test_value_api);
  g_test_add_func ("/profile/failed-load-keeps", test_failed_load_keeps);
  g_test_add_func ("/profile/round-trip", test_round_trip);
  g_test_add_func ("/profile/round-trip-changed", test_round_trip_changed);
  g_test_add_func ("/profile/round-trip-code", test_round_trip_code);
  g_test_add_func ("/profile/lookup-member", test_lookup_member);
  g_test_add_func ("/profile/resource", test_resource);
  g_test_add_func ("/profile/warnings", test_warnings);
  g_test_add_func ("/profile/truncated", test_truncated);

  return g_test_run ();
}
