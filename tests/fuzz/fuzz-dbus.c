/* fuzz-dbus.c: libFuzzer target over every D-Bus entry point of the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One process holds an application (two services, characteristics with
 * every kind of handler, descriptors, an AcquireNotify characteristic), an
 * advertisement and an agent, all registered, on a D-Bus connection whose
 * other end is this harness: over a socketpair, the harness plays the bus
 * (Hello, GetNameOwner, AddMatch) and bluetoothd (adapter, managers), and
 * sends the library one method call per input, built from the input bytes:
 *
 *   byte 0: the object (every exported path, and paths nobody exports)
 *   byte 1: the interface (its own, Properties, ObjectManager,
 *           Introspectable, Peer, another GATT interface)
 *   byte 2: the member (the interface's methods, and names it has not)
 *   byte 3: the sender (bluetoothd's unique name, or another client) and
 *           the flags (NO_REPLY_EXPECTED)
 *   byte 4: how the body is made: the right signature, one argument short,
 *           one argument more, a random signature; values from a generator
 *           that knows options and property names, from GVariant's
 *           deserialiser on raw bytes, or the body of a whole message parsed
 *           with g_dbus_message_new_from_blob() (the parser GDBus applies to
 *           what it receives: what it rejects, such as invalid UTF-8 in a
 *           string or an object path, never reaches the library)
 *   the rest: the values.
 *
 * The library must answer every call (a reply or an error; a call that
 * waits longer than the harness's deadline is a hang and aborts), never
 * crash, warn or leak; a call from another client than bluetoothd must get
 * an error and change nothing. The application stays registered across
 * inputs; after each input the harness puts back what the call changed
 * (values, subscriptions, acquired sockets, registrations), so that an
 * input does the same whatever ran before it.
 *
 * The same file builds without libFuzzer (fuzz-main.c provides main()),
 * which runs the inputs given on the command line once: the unit suite
 * replays the corpus that way.
 */

#include <gattperiph.h>
#include "gp-attribute-private.h"
#include "gp-characteristic-private.h"
#include "gp-dbus-util-private.h"
#include "gp-service-private.h"

#include <gio/gunixfdlist.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define BLUEZ_NAME    ":1.1"
#define LIB_NAME      ":1.7"
#define STRANGER_NAME ":1.66"
#define ADAPTER_PATH  "/org/bluez/hci0"
#define DEVICE_PATH   ADAPTER_PATH "/dev_11_22_33_44_55_66"
#define REPLY_TIMEOUT_MSEC 5000

/* ------------------------------------------------------------------ */
/* Reading the input                                                    */

typedef struct
{
  const guint8 *data;
  gsize         len;
} Reader;

static guint8
take_byte (Reader *r)
{
  guint8 b;

  if (r->len == 0)
    return 0;
  b = r->data[0];
  r->data++;
  r->len--;
  return b;
}

static guint64
take_bytes (Reader *r,
            guint   n)
{
  guint64 v = 0;

  for (guint i = 0; i < n; i++)
    v = (v << 8) | take_byte (r);
  return v;
}

static const char *
pick (Reader             *r,
      const char * const *list,
      gsize               n)
{
  return list[take_byte (r) % n];
}
#define PICK(r, list) pick ((r), (list), G_N_ELEMENTS (list))

/* ------------------------------------------------------------------ */
/* Values                                                               */

static const char * const option_keys[] = {
  "offset", "mtu", "device", "link", "prepare-authorize", "type", "cid", "Handle", "",
};
static const char * const strings[] = {
  "", "LE", "BR/EDR", "request", "command", "reliable", "offset", "mtu", "device", "link",
  "org.bluez.GattService1", "org.bluez.GattCharacteristic1", "org.bluez.GattDescriptor1",
  "org.bluez.LEAdvertisement1", "org.bluez.Agent1", "org.freedesktop.DBus.Properties",
  "UUID", "Primary", "Includes", "Handle", "Service", "Characteristic", "Flags", "Value",
  "Notifying", "NotifyAcquired", "WriteAcquired", "Type", "LocalName", "TxPower", "ServiceUUIDs",
  "0000180d-0000-1000-8000-00805f9b34fb", "180d", "2a37", "not a uuid", "1234",
  "\xc3\xa9\xe2\x82\xac", "%s%s%n", "read", "write", "notify",
};
static const char * const object_paths[] = {
  "/", "/app", "/app/service0", "/app/service0/char0", "/app/service0/char0/desc0",
  "/app/service1", "/adv0", "/agent", ADAPTER_PATH, DEVICE_PATH, "/org/bluez", "/a/b_c/D9",
};
static const char * const signatures[] = { "", "s", "a{sv}", "ay", "o", "(qq)", "v" };
/* Types a variant value takes. */
static const char * const variant_types[] = {
  "q", "u", "s", "o", "b", "y", "ay", "as", "a{sv}", "i", "t", "d", "n", "x", "(qq)", "aay",
  "v", "g", "ao", "a{qv}",
};
/* The type each option key wants, for half of the values. */
static const char *
option_type (const char *key)
{
  if (strcmp (key, "offset") == 0 || strcmp (key, "mtu") == 0 || strcmp (key, "Handle") == 0 ||
      strcmp (key, "cid") == 0)
    return "q";
  if (strcmp (key, "device") == 0)
    return "o";
  if (strcmp (key, "prepare-authorize") == 0)
    return "b";
  return "s";
}

static GVariant *gen_value (const GVariantType *type, Reader *r, guint depth);

static char *
gen_string (Reader *r)
{
  guint8 mode = take_byte (r);

  if (mode < 200)
    return g_strdup (strings[mode % G_N_ELEMENTS (strings)]);
  else
    {
      /* Raw bytes, made valid (GDBus refuses invalid UTF-8 on receipt). */
      gsize want = take_byte (r);
      gsize len = MIN (want, r->len);
      /* NUL-terminated first: GLib 2.74's g_utf8_make_valid() reads past
       * @len. Embedded NULs end the string, as on D-Bus. */
      g_autofree char *raw = g_malloc0 (len + 1);

      memcpy (raw, r->data, len);

      r->data += len;
      r->len -= len;
      return g_utf8_make_valid (raw, -1);
    }
}

static char *
gen_object_path (Reader *r)
{
  guint8 mode = take_byte (r);

  if (mode < 224)
    return g_strdup (object_paths[mode % G_N_ELEMENTS (object_paths)]);
  else
    {
      /* A valid path of fuzz-chosen elements. */
      GString *s = g_string_new (NULL);
      guint n = 1 + take_byte (r) % 4;

      for (guint i = 0; i < n; i++)
        {
          guint len = 1 + take_byte (r) % 6;

          g_string_append_c (s, '/');
          for (guint j = 0; j < len; j++)
            g_string_append_c (s, "abcXYZ019_"[take_byte (r) % 10]);
        }
      return g_string_free (s, FALSE);
    }
}

/* An array length: mostly short, sometimes at the ATT limits or huge. */
static gsize
gen_length (Reader             *r,
            const GVariantType *element)
{
  static const gsize limits[] = { 0, 1, 22, 23, 510, 511, 512, 513, 514, 1024, 65535, 65536, 100000 };
  guint8 b = take_byte (r);

  if (b < 0xf0)
    return b % 12;
  if (g_variant_type_equal (element, G_VARIANT_TYPE_BYTE))
    return limits[b % G_N_ELEMENTS (limits)];
  return 12 + b % 52;
}

static GVariant *
gen_bytes (Reader *r,
           gsize   len)
{
  guint8 *buf = g_malloc (len);

  /* The input's bytes first, then a pattern (huge arrays cost no input). */
  for (gsize i = 0; i < len; i++)
    buf[i] = r->len > 0 && i < 64 ? take_byte (r) : (guint8) i;
  return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, buf, len, TRUE, g_free, buf);
}

static GVariant *
gen_vardict (Reader *r,
             guint   depth)
{
  GVariantBuilder b;
  guint n = take_byte (r) % 8;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < n && r->len > 0; i++)
    {
      guint8 how = take_byte (r);
      g_autofree char *key = how < 200 ? g_strdup (option_keys[how % G_N_ELEMENTS (option_keys)])
                                       : gen_string (r);
      const char *type_string = (take_byte (r) & 1) ? option_type (key) : PICK (r, variant_types);
      GVariant *value = gen_value (G_VARIANT_TYPE (type_string), r, depth + 1);

      g_variant_builder_add (&b, "{sv}", key, value);
    }
  return g_variant_builder_end (&b);
}

static GVariant *
gen_value (const GVariantType *type,
           Reader             *r,
           guint               depth)
{
  if (g_variant_type_is_basic (type))
    {
      switch (g_variant_type_peek_string (type)[0])
        {
        case 'b': return g_variant_new_boolean (take_byte (r) & 1);
        case 'y': return g_variant_new_byte (take_byte (r));
        case 'n': return g_variant_new_int16 ((gint16) take_bytes (r, 2));
        case 'q': return g_variant_new_uint16 ((guint16) take_bytes (r, 2));
        case 'i': return g_variant_new_int32 ((gint32) take_bytes (r, 4));
        case 'u': return g_variant_new_uint32 ((guint32) take_bytes (r, 4));
        case 'h': return g_variant_new_handle ((gint32) take_bytes (r, 1));
        case 'x': return g_variant_new_int64 ((gint64) take_bytes (r, 8));
        case 't': return g_variant_new_uint64 (take_bytes (r, 8));
        case 'd':
          {
            guint64 bits = take_bytes (r, 8);
            double d;

            memcpy (&d, &bits, sizeof d);
            return g_variant_new_double (d);
          }
        case 's': return g_variant_new_take_string (gen_string (r));
        case 'o':
          {
            g_autofree char *path = gen_object_path (r);
            return g_variant_new_object_path (path);
          }
        case 'g': return g_variant_new_signature (PICK (r, signatures));
        default: break;
        }
    }
  if (g_variant_type_is_variant (type))
    {
      const char *inner = depth < 4 ? PICK (r, variant_types) : "y";
      return g_variant_new_variant (gen_value (G_VARIANT_TYPE (inner), r, depth + 1));
    }
  if (g_variant_type_equal (type, G_VARIANT_TYPE_VARDICT) && depth < 4)
    return gen_vardict (r, depth);
  if (g_variant_type_is_array (type))
    {
      const GVariantType *element = g_variant_type_element (type);
      gsize len = depth < 4 ? gen_length (r, element) : 0;
      GVariantBuilder b;

      if (g_variant_type_equal (element, G_VARIANT_TYPE_BYTE))
        return gen_bytes (r, len);
      g_variant_builder_init (&b, type);
      for (gsize i = 0; i < len; i++)
        g_variant_builder_add_value (&b, gen_value (element, r, depth + 1));
      return g_variant_builder_end (&b);
    }
  if (g_variant_type_is_tuple (type) || g_variant_type_is_dict_entry (type))
    {
      GVariantBuilder b;

      g_variant_builder_init (&b, type);
      for (const GVariantType *t = g_variant_type_first (type); t != NULL; t = g_variant_type_next (t))
        g_variant_builder_add_value (&b, gen_value (t, r, depth + 1));
      return g_variant_builder_end (&b);
    }
  g_assert_not_reached ();
  return NULL;
}

/* A complete D-Bus type from the input (no maybe types, basic dict keys). */
static void
gen_type (GString *s,
          Reader  *r,
          guint    depth)
{
  static const char basic[] = "bynqiuxtdsog";
  guint8 b = take_byte (r);

  if (depth >= 3 || b < 128)
    {
      g_string_append_c (s, b < 8 ? 'v' : basic[b % (sizeof basic - 1)]);
      return;
    }
  switch (b % 4)
    {
    case 0:
      g_string_append_c (s, 'a');
      gen_type (s, r, depth + 1);
      break;
    case 1:
      g_string_append (s, "a{");
      g_string_append_c (s, basic[take_byte (r) % (sizeof basic - 1)]);
      gen_type (s, r, depth + 1);
      g_string_append_c (s, '}');
      break;
    default:
      {
        guint n = 1 + take_byte (r) % 3;

        g_string_append_c (s, '(');
        for (guint i = 0; i < n; i++)
          gen_type (s, r, depth + 1);
        g_string_append_c (s, ')');
      }
      break;
    }
}

/* The header of a little-endian method call to "/" member "X" with
 * @signature and a body of @body_len bytes (appended by the caller). */
static void
blob_header (GByteArray *blob,
             const char *signature,
             gsize       body_len)
{
  GByteArray *fields = g_byte_array_new ();
  guint32 u;

#define PUT(a, p, n) g_byte_array_append ((a), (const guint8 *) (p), (n))
#define PAD(a, n) while ((a)->len % (n) != 0) g_byte_array_append ((a), (const guint8 *) "", 1)
  /* PATH (1, "o") "/", MEMBER (3, "s") "X", SIGNATURE (8, "g") */
  PUT (fields, "\x01\x01o\x00", 4);
  u = 1; PUT (fields, &u, 4); PUT (fields, "/", 2);
  PAD (fields, 8);
  PUT (fields, "\x03\x01s\x00", 4);
  u = 1; PUT (fields, &u, 4); PUT (fields, "X", 2);
  if (*signature != '\0')
    {
      guint8 len = strlen (signature);

      PAD (fields, 8);
      PUT (fields, "\x08\x01g\x00", 4);
      PUT (fields, &len, 1); PUT (fields, signature, len + 1);
    }
  PUT (blob, "l\x01\x00\x01", 4);
  u = body_len; PUT (blob, &u, 4);
  u = 1; PUT (blob, &u, 4);
  u = fields->len; PUT (blob, &u, 4);
  PUT (blob, fields->data, fields->len);
  PAD (blob, 8);
#undef PUT
#undef PAD
  g_byte_array_unref (fields);
}

/* The body: @signature (the arguments, without parentheses), changed as
 * the input says. */
static GVariant *
gen_body (const char *signature,
          Reader     *r)
{
  guint8 mode = take_byte (r);
  guint8 values = mode >> 4;
  g_autoptr(GString) args = g_string_new (signature);
  g_autofree char *tuple = NULL;

  switch (mode & 0xf)
    {
    case 10: case 11:
      /* One argument short (the last complete type goes). */
      if (args->len > 0)
        {
          const char *p = args->str, *last = p;

          while (*p != '\0')
            {
              const char *end = NULL;

              last = p;
              if (!g_variant_type_string_scan (p, NULL, &end))
                break;
              p = end;
            }
          g_string_truncate (args, last - args->str);
        }
      break;
    case 12: case 13:
      gen_type (args, r, 0);
      break;
    case 14: case 15:
      g_string_truncate (args, 0);
      for (guint n = take_byte (r) % 4; n > 0; n--)
        gen_type (args, r, 0);
      break;
    default:
      break;
    }
  tuple = g_strdup_printf ("(%s)", args->str);

  if (values == 15)
    {
      /* A whole message from the input, as GDBus parses it on receipt. */
      g_autoptr(GDBusMessage) parsed = g_dbus_message_new_from_blob ((guchar *) r->data, r->len,
                                                                     G_DBUS_CAPABILITY_FLAGS_NONE,
                                                                     NULL);
      GVariant *body = parsed != NULL ? g_dbus_message_get_body (parsed) : NULL;

      return body != NULL ? g_variant_ref (body) : NULL;
    }
  if (values >= 13)
    {
      /* The input's bytes as the body of a message with this signature,
       * decoded by GDBus's parser (lengths and offsets from the bytes).
       * Not GVariant's serialiser on untrusted data: GDBus does not use it
       * on receipt, and GLib 2.74's g_variant_get_normal_form() asserts
       * on some inputs. */
      g_autoptr(GDBusMessage) parsed = NULL;
      g_autoptr(GByteArray) blob = g_byte_array_new ();
      GVariant *body;

      blob_header (blob, args->str, r->len);
      g_byte_array_append (blob, r->data, r->len);
      parsed = g_dbus_message_new_from_blob (blob->data, blob->len, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
      body = parsed != NULL ? g_dbus_message_get_body (parsed) : NULL;
      return body != NULL ? g_variant_ref (body) : NULL;
    }
  return gen_value (G_VARIANT_TYPE (tuple), r, 0);
}

/* ------------------------------------------------------------------ */
/* The harness: bus, bluetoothd, and the library's objects              */

typedef struct
{
  char               *path;
  GDBusInterfaceInfo *info;   /* NULL: a path the library does not export */
} Target;

typedef struct
{
  GDBusConnection  *bus;      /* our end: the bus and bluetoothd */
  GDBusConnection  *lib;      /* the library's end */
  GpAdapter        *adapter;
  GpApplication    *app;
  GPtrArray        *attributes;     /* GpAttribute */
  GPtrArray        *initial_values; /* GBytes, same order */
  GpAdvertisement  *adv;
  GpAgent          *agent;
  GPtrArray        *targets;        /* Target */
  GQueue            deferred;       /* GpRequest or GpPairingRequest kept by handlers */
  GSource          *answer_source;
  guint64           inputs, calls, refused, reregistered;
  gboolean          timing;         /* GP_FUZZ_TIMING: each input's time */
  int               lib_calls;      /* atomic: calls the library made to us */
} Harness;

static Harness *harness;

static GVariant *
adapter_properties (void)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "Address", g_variant_new_string ("00:AA:01:00:00:23"));
  g_variant_builder_add (&b, "{sv}", "AddressType", g_variant_new_string ("public"));
  g_variant_builder_add (&b, "{sv}", "Name", g_variant_new_string ("fuzz"));
  g_variant_builder_add (&b, "{sv}", "Alias", g_variant_new_string ("fuzz"));
  g_variant_builder_add (&b, "{sv}", "Powered", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&b, "{sv}", "Discoverable", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&b, "{sv}", "Pairable", g_variant_new_boolean (TRUE));
  return g_variant_builder_end (&b);
}

static GVariant *
advertising_manager_properties (void)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "ActiveInstances", g_variant_new_byte (0));
  g_variant_builder_add (&b, "{sv}", "SupportedInstances", g_variant_new_byte (5));
  g_variant_builder_add (&b, "{sv}", "SupportedIncludes",
                         g_variant_new_strv ((const char * const[]) { "tx-power", "appearance", "local-name" }, 3));
  return g_variant_builder_end (&b);
}

static GVariant *
empty_properties (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);
}

static GVariant *
managed_objects (void)
{
  GVariantBuilder objects, ifaces;

  g_variant_builder_init (&objects, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  g_variant_builder_init (&ifaces, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&ifaces, "{s@a{sv}}", "org.bluez.AgentManager1", empty_properties ());
  g_variant_builder_add (&objects, "{o@a{sa{sv}}}", "/org/bluez", g_variant_builder_end (&ifaces));
  g_variant_builder_init (&ifaces, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&ifaces, "{s@a{sv}}", "org.bluez.Adapter1", adapter_properties ());
  g_variant_builder_add (&ifaces, "{s@a{sv}}", "org.bluez.GattManager1", empty_properties ());
  g_variant_builder_add (&ifaces, "{s@a{sv}}", "org.bluez.LEAdvertisingManager1",
                         advertising_manager_properties ());
  g_variant_builder_add (&objects, "{o@a{sa{sv}}}", ADAPTER_PATH, g_variant_builder_end (&ifaces));
  return g_variant_new ("(@a{oa{sa{sv}}})", g_variant_builder_end (&objects));
}

/* What the bus daemon and bluetoothd answer the library. */
static GDBusMessage *
answer (GDBusMessage *call)
{
  const char *dest = g_dbus_message_get_destination (call);
  const char *path = g_dbus_message_get_path (call);
  const char *iface = g_dbus_message_get_interface (call);
  const char *member = g_dbus_message_get_member (call);
  GVariant *body = g_dbus_message_get_body (call);
  GDBusMessage *reply = g_dbus_message_new_method_reply (call);
  GVariant *ret = NULL;

  if (g_strcmp0 (dest, "org.freedesktop.DBus") == 0)
    {
      if (strcmp (member, "Hello") == 0)
        ret = g_variant_new ("(s)", LIB_NAME);
      else if (strcmp (member, "GetNameOwner") == 0 && body != NULL &&
               g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
        {
          const char *name;

          g_variant_get (body, "(&s)", &name);
          if (strcmp (name, "org.bluez") == 0 || strcmp (name, BLUEZ_NAME) == 0)
            ret = g_variant_new ("(s)", BLUEZ_NAME);
        }
      else if (strcmp (member, "AddMatch") == 0 || strcmp (member, "RemoveMatch") == 0)
        ret = g_variant_new ("()");
      else if (strcmp (member, "NameHasOwner") == 0)
        ret = g_variant_new ("(b)", TRUE);
      if (ret == NULL)
        {
          g_object_unref (reply);
          return g_dbus_message_new_method_error_literal (call, "org.freedesktop.DBus.Error.NameHasNoOwner",
                                                          "no such name");
        }
    }
  else if (g_strcmp0 (iface, "org.freedesktop.DBus.Peer") == 0)
    ret = strcmp (member, "Ping") == 0 ? g_variant_new ("()") : NULL;
  else if (g_strcmp0 (iface, "org.freedesktop.DBus.ObjectManager") == 0 && strcmp (path, "/") == 0)
    ret = managed_objects ();
  else if (g_strcmp0 (iface, "org.freedesktop.DBus.Properties") == 0 &&
           strcmp (member, "GetAll") == 0 && body != NULL &&
           g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
    {
      const char *name;

      g_variant_get (body, "(&s)", &name);
      if (strcmp (path, ADAPTER_PATH) == 0 && strcmp (name, "org.bluez.Adapter1") == 0)
        ret = g_variant_new ("(@a{sv})", adapter_properties ());
      else if (strcmp (path, ADAPTER_PATH) == 0 && strcmp (name, "org.bluez.LEAdvertisingManager1") == 0)
        ret = g_variant_new ("(@a{sv})", advertising_manager_properties ());
      else if ((strcmp (path, ADAPTER_PATH) == 0 && strcmp (name, "org.bluez.GattManager1") == 0) ||
               (strcmp (path, "/org/bluez") == 0 && strcmp (name, "org.bluez.AgentManager1") == 0))
        ret = g_variant_new ("(@a{sv})", empty_properties ());
    }
  else if (g_str_has_prefix (member, "Register") || g_str_has_prefix (member, "Unregister") ||
           strcmp (member, "RequestDefaultAgent") == 0)
    ret = g_variant_new ("()");

  if (ret == NULL)
    {
      g_object_unref (reply);
      return g_dbus_message_new_method_error (call, "org.freedesktop.DBus.Error.UnknownMethod",
                                              "The fake bluetoothd has no %s.%s at %s",
                                              iface != NULL ? iface : "", member, path);
    }
  g_dbus_message_set_body (reply, ret);
  return reply;
}

/* On GDBus's I/O thread: every call the library makes ends here. */
static GDBusMessage *
bus_filter (GDBusConnection *connection,
            GDBusMessage    *message,
            gboolean         incoming,
            gpointer         user_data)
{
  g_autoptr(GDBusMessage) reply = NULL;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  g_atomic_int_inc (&harness->lib_calls);
  reply = answer (message);
  g_dbus_message_set_sender (reply, g_strcmp0 (g_dbus_message_get_destination (message),
                                               "org.freedesktop.DBus") == 0
                                    ? "org.freedesktop.DBus" : BLUEZ_NAME);
  if ((g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) == 0)
    g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref (message);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Handlers that keep requests and answer later                         */

static gboolean
answer_deferred (gpointer user_data)
{
  gpointer request;

  gp_source_clear (&harness->answer_source);
  while ((request = g_queue_pop_head (&harness->deferred)) != NULL)
    {
      if (GP_IS_REQUEST (request))
        {
          GpRequest *req = request;

          guint offset = gp_request_get_offset (req);

          /* Each way of answering, chosen by the offset. */
          if (offset % 4 == 1)
            gp_request_return_att_error (req, 0x80 + offset % 32);
          else if (gp_request_get_kind (req) != GP_REQUEST_KIND_READ)
            gp_request_return_success (req);
          else if (offset % 4 == 2)
            {
              g_autoptr(GBytes) partial = g_bytes_new_static ("partial", 7);
              gp_request_return_partial_value (req, partial);
            }
          else
            {
              g_autoptr(GBytes) value = g_bytes_new_static ("a deferred value", 16);
              gp_request_return_value (req, value);
            }
        }
      else
        gp_pairing_request_return_passkey (request, 123456);
      g_object_unref (request);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
keep_request (gpointer object,
              gpointer request,
              gpointer user_data)
{
  g_queue_push_tail (&harness->deferred, g_object_ref (request));
  if (harness->answer_source == NULL)
    harness->answer_source = gp_idle_source_attach (g_main_context_default (), G_PRIORITY_DEFAULT,
                                                    answer_deferred, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                               */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
connect_pair (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) s0 = NULL, s1 = NULL;
  g_autoptr(GSocketConnection) c0 = NULL, c1 = NULL;
  g_autofree char *guid = g_dbus_generate_guid ();
  GAsyncResult *r0 = NULL, *r1 = NULL;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    g_error ("socketpair failed");
  s0 = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  s1 = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  c0 = g_socket_connection_factory_create_connection (s0);
  c1 = g_socket_connection_factory_create_connection (s1);

  /* Our end holds its messages until the filter is in place: the
   * library's first message is Hello. */
  g_dbus_connection_new (G_IO_STREAM (c0), guid,
                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_ALLOW_ANONYMOUS |
                         G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
                         NULL, NULL, store_result, &r0);
  g_dbus_connection_new (G_IO_STREAM (c1), NULL,
                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                         NULL, NULL, store_result, &r1);
  harness->bus = g_dbus_connection_new_finish (wait_result (&r0), &error);
  g_assert_no_error (error);
  g_dbus_connection_add_filter (harness->bus, bus_filter, NULL, NULL);
  g_dbus_connection_start_message_processing (harness->bus);
  harness->lib = g_dbus_connection_new_finish (wait_result (&r1), &error);
  g_assert_no_error (error);
  g_object_unref (r0);
  g_object_unref (r1);
  g_assert_cmpstr (g_dbus_connection_get_unique_name (harness->lib), ==, LIB_NAME);
}

static GpCharacteristic *
add_characteristic (GpService             *service,
                    const char            *uuid,
                    GpCharacteristicFlags  flags,
                    const char            *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpCharacteristic) chrc = gp_characteristic_new (uuid, flags, &error);

  g_assert_no_error (error);
  if (value != NULL)
    gp_attribute_set_value_data (GP_ATTRIBUTE (chrc), (const guint8 *) value, strlen (value), &error);
  g_assert_no_error (error);
  gp_service_add_characteristic (service, chrc, &error);
  g_assert_no_error (error);
  return chrc;   /* the service holds it */
}

static void
add_descriptor (GpCharacteristic  *chrc,
                const char        *uuid,
                GpDescriptorFlags  flags,
                const char        *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpDescriptor) desc = gp_descriptor_new (uuid, flags, &error);

  g_assert_no_error (error);
  if (value != NULL)
    gp_attribute_set_value_data (GP_ATTRIBUTE (desc), (const guint8 *) value, strlen (value), &error);
  g_assert_no_error (error);
  gp_characteristic_add_descriptor (chrc, desc, &error);
  g_assert_no_error (error);
}

static void
build_application (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpService) primary = gp_service_new ("180d", TRUE, &error);
  g_autoptr(GpService) secondary = gp_service_new ("180f", FALSE, &error);
  GpCharacteristic *chrc;

  g_assert_no_error (error);
  harness->app = gp_application_new_for_connection (harness->lib, "/app");

  /* Answered by the library from the stored value. */
  chrc = add_characteristic (primary, "2a37",
                             GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE |
                             GP_CHARACTERISTIC_FLAGS_NOTIFY | GP_CHARACTERISTIC_FLAGS_INDICATE,
                             "hello");
  add_descriptor (chrc, "2901", GP_DESCRIPTOR_FLAGS_READ | GP_DESCRIPTOR_FLAGS_WRITE, "desc");
  /* Notifications over an acquired socket; writes acknowledged at once. */
  chrc = add_characteristic (primary, "2a38",
                             GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE |
                             GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE |
                             GP_CHARACTERISTIC_FLAGS_NOTIFY,
                             "");
  gp_characteristic_set_acquire_notify (chrc, TRUE);
  /* Handlers that keep the request and answer from an idle: calls behind
   * them wait, in order. */
  chrc = add_characteristic (primary, "12345678-1234-5678-1234-56789abcdef0",
                             GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE |
                             GP_CHARACTERISTIC_FLAGS_RELIABLE_WRITE |
                             GP_CHARACTERISTIC_FLAGS_EXTENDED_PROPERTIES |
                             GP_CHARACTERISTIC_FLAGS_AUTHORIZE |
                             GP_CHARACTERISTIC_FLAGS_ENCRYPT_READ,
                             "0123456789");
  g_signal_connect (chrc, "read-request", G_CALLBACK (keep_request), NULL);
  g_signal_connect (chrc, "write-request", G_CALLBACK (keep_request), NULL);
  add_descriptor (chrc, "12345678-1234-5678-1234-56789abcdef1",
                  GP_DESCRIPTOR_FLAGS_READ | GP_DESCRIPTOR_FLAGS_WRITE | GP_DESCRIPTOR_FLAGS_AUTHORIZE,
                  NULL);
  add_characteristic (secondary, "2a19", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY,
                      "d");
  gp_service_add_include (primary, secondary, &error);
  g_assert_no_error (error);
  /* Included services first (BlueZ resolves includes in that order). */
  gp_application_add_service (harness->app, secondary, &error);
  g_assert_no_error (error);
  gp_application_add_service (harness->app, primary, &error);
  g_assert_no_error (error);
}

static void
register_application (void)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  gp_application_register_async (harness->app, harness->adapter, NULL, store_result, &result);
  if (!gp_application_register_finish (harness->app, wait_result (&result), &error))
    g_error ("Registering the application failed: %s", error->message);
  g_object_unref (result);
}

static void
start_advertisement (void)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  gp_advertisement_start_async (harness->adv, harness->adapter, NULL, store_result, &result);
  if (!gp_advertisement_start_finish (harness->adv, wait_result (&result), &error))
    g_error ("Starting the advertisement failed: %s", error->message);
  g_object_unref (result);
}

static void
register_agent (void)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  gp_agent_register_async (harness->agent, TRUE, NULL, store_result, &result);
  if (!gp_agent_register_finish (harness->agent, wait_result (&result), &error))
    g_error ("Registering the agent failed: %s", error->message);
  g_object_unref (result);
}

static void
add_target (const char         *path,
            GDBusInterfaceInfo *info)
{
  Target *t = g_new0 (Target, 1);

  t->path = g_strdup (path);
  t->info = info;
  g_ptr_array_add (harness->targets, t);
}

static void
collect_attributes (void)
{
  g_autoptr(GList) services = gp_application_get_services (harness->app);

  add_target ("/app", GP_BLUEZ_INTERFACE_INFO (object_manager));
  for (GList *s = services; s != NULL; s = s->next)
    {
      g_autoptr(GList) chrcs = gp_service_get_characteristics (s->data);

      add_target (gp_service_get_object_path (s->data), GP_BLUEZ_INTERFACE_INFO (gatt_service1));
      for (GList *c = chrcs; c != NULL; c = c->next)
        {
          g_autoptr(GList) descs = gp_characteristic_get_descriptors (c->data);

          g_ptr_array_add (harness->attributes, g_object_ref (c->data));
          add_target (gp_attribute_get_object_path (c->data), GP_BLUEZ_INTERFACE_INFO (gatt_characteristic1));
          for (GList *d = descs; d != NULL; d = d->next)
            {
              g_ptr_array_add (harness->attributes, g_object_ref (d->data));
              add_target (gp_attribute_get_object_path (d->data), GP_BLUEZ_INTERFACE_INFO (gatt_descriptor1));
            }
        }
    }
  for (guint i = 0; i < harness->attributes->len; i++)
    g_ptr_array_add (harness->initial_values,
                     gp_attribute_dup_value (g_ptr_array_index (harness->attributes, i)));
  add_target ("/adv0", GP_BLUEZ_INTERFACE_INFO (leadvertisement1));
  add_target ("/agent", GP_BLUEZ_INTERFACE_INFO (agent1));
  add_target ("/", NULL);
  add_target ("/app/service9", NULL);
  add_target (ADAPTER_PATH, NULL);
}

static void
log_and_abort (const char     *domain,
               GLogLevelFlags  level,
               const char     *message,
               gpointer        user_data)
{
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 && g_getenv ("GP_FUZZ_DEBUG") == NULL)
    return;
  g_log_default_handler (domain, level, message, NULL);
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0)
    abort ();
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* Real malloc for every GObject and GVariant, so that LeakSanitizer
   * sees them: GSlice reads G_SLICE when GLib loads (its constructors use
   * it), so the process starts again with it set. */
  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") != 0)
    {
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      execv ("/proc/self/exe", *argv);
      g_error ("Cannot run again with G_SLICE=always-malloc: %s", g_strerror (errno));
    }
  /* A critical or a warning is a bug the input found: abort (GLib's fatal
   * messages raise SIGTRAP, which libFuzzer does not catch). */
  g_log_set_default_handler (log_and_abort, NULL);

  harness = g_new0 (Harness, 1);
  harness->attributes = g_ptr_array_new_with_free_func (g_object_unref);
  harness->initial_values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  harness->targets = g_ptr_array_new ();
  g_queue_init (&harness->deferred);
  harness->timing = g_getenv ("GP_FUZZ_TIMING") != NULL;

  connect_pair ();
  harness->adapter = gp_adapter_new_for_path (harness->lib, ADAPTER_PATH);
  build_application ();
  register_application ();

  harness->adv = gp_advertisement_new_for_connection (harness->lib, "/adv0");
  gp_advertisement_set_local_name (harness->adv, "fuzz");
  gp_advertisement_set_service_uuids (harness->adv, (const char * const[]) { "180d", NULL });
  start_advertisement ();

  harness->agent = gp_agent_new_for_connection (harness->lib, "/agent", GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY);
  g_signal_connect (harness->agent, "handle-request-passkey", G_CALLBACK (keep_request), NULL);
  register_agent ();

  collect_attributes ();
  return 0;
}

/* ------------------------------------------------------------------ */
/* One input                                                            */

/* What a call from another client must not change. */
static char *
snapshot (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < harness->attributes->len; i++)
    {
      GpAttribute *attr = g_ptr_array_index (harness->attributes, i);
      g_autoptr(GBytes) value = gp_attribute_dup_value (attr);
      g_autofree char *hex = value != NULL ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, value)
                                           : g_strdup ("-");

      g_string_append_printf (s, "%s %s %d\n", gp_attribute_get_object_path (attr), hex,
                              GP_IS_CHARACTERISTIC (attr) && gp_characteristic_get_notifying (GP_CHARACTERISTIC (attr)));
    }
  g_string_append_printf (s, "app %d adv %d agent %d\n", gp_application_get_registered (harness->app),
                          gp_advertisement_get_registered (harness->adv),
                          gp_agent_get_registered (harness->agent));
  return g_string_free (s, FALSE);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GDBusMessage *send_and_wait (GDBusMessage *message);

/* Until the library has had the answers to every call it made (such as
 * the probe after a Release, or the pacer's pings): a round trip through
 * its main loop, then one more after each new call. The first round trip
 * also flushes the calls it made after its answer to the input (its
 * messages to us go out in order). */
static void
settle (int calls_before)
{
  int calls = calls_before - 1;

  drain ();
  /* Properties of the application's ObjectManager: answered by the
   * library's main loop (GDBus itself answers for interfaces an object
   * does not have). */
  for (; calls != calls_before; calls = g_atomic_int_get (&harness->lib_calls))
    {
      g_autoptr(GDBusMessage) sync = g_dbus_message_new_method_call (LIB_NAME, "/app",
                                                                     "org.freedesktop.DBus.Properties",
                                                                     "GetAll");
      g_autoptr(GDBusMessage) reply = NULL;

      g_dbus_message_set_body (sync, g_variant_new ("(s)", "org.freedesktop.DBus.ObjectManager"));
      g_dbus_message_set_sender (sync, BLUEZ_NAME);
      calls_before = g_atomic_int_get (&harness->lib_calls);
      reply = send_and_wait (sync);
      drain ();
    }
}

/* Back to where every input starts (the library settled). */
static void
reset (void)
{
  g_assert (g_queue_is_empty (&harness->deferred));
  for (guint i = 0; i < harness->attributes->len; i++)
    {
      GpAttribute *attr = g_ptr_array_index (harness->attributes, i);
      GBytes *initial = g_ptr_array_index (harness->initial_values, i);
      g_autoptr(GBytes) value = gp_attribute_dup_value (attr);

      if (GP_IS_CHARACTERISTIC (attr) && gp_characteristic_get_notifying (GP_CHARACTERISTIC (attr)))
        gp_characteristic_set_notifying (GP_CHARACTERISTIC (attr), FALSE);
      if (value != initial && (value == NULL || initial == NULL || !g_bytes_equal (value, initial)))
        gp_attribute_store_value (attr, initial);
    }
  if (!gp_application_get_registered (harness->app))
    {
      register_application ();
      harness->reregistered++;
    }
  if (!gp_advertisement_get_registered (harness->adv))
    {
      start_advertisement ();
      harness->reregistered++;
    }
  if (!gp_agent_get_registered (harness->agent))
    {
      register_agent ();
      harness->reregistered++;
    }
  drain ();
}

static GDBusInterfaceInfo *
other_gatt_interface (Reader *r)
{
  switch (take_byte (r) % 6)
    {
    case 0: return GP_BLUEZ_INTERFACE_INFO (gatt_service1);
    case 1: return GP_BLUEZ_INTERFACE_INFO (gatt_characteristic1);
    case 2: return GP_BLUEZ_INTERFACE_INFO (gatt_descriptor1);
    case 3: return GP_BLUEZ_INTERFACE_INFO (leadvertisement1);
    case 4: return GP_BLUEZ_INTERFACE_INFO (agent1);
    default: return GP_BLUEZ_INTERFACE_INFO (object_manager);
    }
}

static const char *
method_signature (GDBusMethodInfo *method,
                  GString         *out)
{
  for (guint i = 0; method->in_args != NULL && method->in_args[i] != NULL; i++)
    g_string_append (out, method->in_args[i]->signature);
  return out->str;
}

/* Interface, member and in-signature of the call. */
static void
choose_member (Reader              *r,
               Target              *target,
               const char         **interface,
               const char         **member,
               GString             *signature)
{
  static const char * const extra_members[] = { "AcquireWrite", "Bogus", "ReadValue", "Release", "Get" };
  guint8 which = take_byte (r) % 8;
  GDBusInterfaceInfo *info = target->info;
  guint8 m = take_byte (r);

  if (which >= 5 || info == NULL)
    info = which == 7 || info == NULL ? other_gatt_interface (r) : info;

  switch (which)
    {
    case 1:
    case 2:
      {
        static const char * const methods[] = { "Get", "GetAll", "Set" };
        static const char * const in_signatures[] = { "ss", "s", "ssv" };

        /* The arguments: see properties_body(). */
        *interface = "org.freedesktop.DBus.Properties";
        *member = methods[m % 3];
        g_string_append (signature, in_signatures[m % 3]);
      }
      return;
    case 3:
      *interface = "org.freedesktop.DBus.Introspectable";
      *member = "Introspect";
      return;
    case 4:
      *interface = (m & 1) ? "org.freedesktop.DBus.Peer" : "org.freedesktop.DBus.ObjectManager";
      *member = (m & 1) ? ((m & 2) ? "Ping" : "GetMachineId") : "GetManagedObjects";
      return;
    default:
      break;
    }

  *interface = (m & 0xe0) == 0xe0 ? NULL : info->name;
  {
    guint n = 0;

    while (info->methods != NULL && info->methods[n] != NULL)
      n++;
    if (n > 0 && (m & 0x10) == 0)
      {
        GDBusMethodInfo *method = info->methods[m % n];

        *member = method->name;
        method_signature (method, signature);
      }
    else
      *member = extra_members[m % G_N_ELEMENTS (extra_members)];
  }
}

typedef struct
{
  GDBusMessage *reply;
  GError       *error;
  gboolean      done;
} Pending;

static void
got_reply (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Pending *p = user_data;

  p->reply = g_dbus_connection_send_message_with_reply_finish (G_DBUS_CONNECTION (source), result,
                                                               &p->error);
  p->done = TRUE;
}

static GDBusMessage *
send_and_wait (GDBusMessage *message)
{
  Pending p = { 0 };

  g_dbus_connection_send_message_with_reply (harness->bus, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                             REPLY_TIMEOUT_MSEC, NULL, NULL, got_reply, &p);
  while (!p.done)
    g_main_context_iteration (NULL, TRUE);
  if (p.reply == NULL)
    g_error ("No answer from the library to %s.%s at %s: %s (a hang)",
             g_dbus_message_get_interface (message), g_dbus_message_get_member (message),
             g_dbus_message_get_path (message), p.error->message);
  return p.reply;
}

/* The Properties calls' first arguments: the interface and the property,
 * mostly the object's own. */
static GVariant *
properties_body (Target     *target,
                 const char *member,
                 Reader     *r,
                 GVariant   *generated)
{
  static const char * const names[] = {
    "UUID", "Handle", "Value", "Flags", "Notifying", "NotifyAcquired", "WriteAcquired", "Primary",
    "Includes", "Service", "Characteristic", "Type", "TxPower", "LocalName", "Bogus",
  };
  GDBusInterfaceInfo *info = target->info != NULL ? target->info : other_gatt_interface (r);
  guint8 how = take_byte (r);
  const char *iface = (how & 3) != 0 ? info->name : PICK (r, strings);
  const char *name;
  guint n = 0;

  while (info->properties != NULL && info->properties[n] != NULL)
    n++;
  name = n > 0 && (how & 0xc) != 0 ? info->properties[take_byte (r) % n]->name : PICK (r, names);

  if (strcmp (member, "GetAll") == 0)
    return g_variant_new ("(s)", iface);
  if (strcmp (member, "Get") == 0)
    return g_variant_new ("(ss)", iface, name);
  {
    /* Set: the property's own type half of the time. */
    GDBusPropertyInfo *prop = g_dbus_interface_info_lookup_property (info, name);
    g_autoptr(GVariant) value = NULL;

    if (generated != NULL && g_variant_n_children (generated) >= 3)
      value = g_variant_get_child_value (generated, 2);
    else if (prop != NULL && (how & 0x10))
      value = g_variant_new_variant (gen_value (G_VARIANT_TYPE (prop->signature), r, 1));
    else
      value = g_variant_new_variant (gen_value (G_VARIANT_TYPE (PICK (r, variant_types)), r, 1));
    g_variant_take_ref (value);
    if (!g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
      {
        GVariant *wrapped = g_variant_ref_sink (g_variant_new_variant (value));
        g_variant_unref (value);
        value = wrapped;
      }
    return g_variant_new ("(ss@v)", iface, name, value);
  }
}

/* One call of an input. */
typedef struct
{
  GDBusMessage *message;
  Target       *target;
  const char   *interface;
  const char   *member;
  gboolean      stranger;
  gboolean      no_reply;
  gboolean      more;       /* another call follows, sent before any answer */
  Pending       pending;
} Call;

static void
call_clear (Call *call)
{
  g_clear_object (&call->message);
  g_clear_object (&call->pending.reply);
  g_clear_error (&call->pending.error);
}

/* Builds the next call from @r; FALSE if D-Bus cannot carry it. */
static gboolean
build_call (Reader *r,
            Call   *call)
{
  g_autoptr(GString) signature = g_string_new (NULL);
  g_autoptr(GVariant) body = NULL;
  guint8 who;

  call->target = g_ptr_array_index (harness->targets, take_byte (r) % harness->targets->len);
  choose_member (r, call->target, &call->interface, &call->member, signature);
  who = take_byte (r);
  call->stranger = (who & 3) == 3;
  call->no_reply = (who & 0x3c) == 0x3c;
  call->more = (who & 0x80) != 0;

  body = gen_body (signature->str, r);
  if (body != NULL)
    g_variant_take_ref (body);   /* floating or not, one reference */
  if (g_strcmp0 (call->interface, "org.freedesktop.DBus.Properties") == 0 && (who & 0x40) == 0)
    {
      /* Well-formed Properties calls most of the time, so that the
       * library's handlers (not GDBus's checks) see them. */
      GVariant *props = properties_body (call->target, call->member, r, body);

      g_clear_pointer (&body, g_variant_unref);
      body = g_variant_ref_sink (props);
    }

  call->message = g_dbus_message_new_method_call (LIB_NAME, call->target->path, call->interface,
                                                  call->member);
  if (body != NULL && g_variant_n_children (body) > 0)
    g_dbus_message_set_body (call->message, body);
  g_dbus_message_set_sender (call->message, call->stranger ? STRANGER_NAME : BLUEZ_NAME);
  if (call->no_reply)
    g_dbus_message_set_flags (call->message, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
  {
    /* GDBus sends only what D-Bus can carry (a raw body may hold, in a
     * variant, types such as "()" or maybes): nobody can send the rest,
     * and GDBus would refuse it on receipt. A body parsed from the input
     * may also be in a form GLib 2.74 writes out but does not read back
     * ("Expected NUL byte after the string"): the library's GDBus worker
     * would warn and drop the connection before the library sees it, so
     * such a message is not sent either. */
    gsize len;
    g_autofree guchar *blob = g_dbus_message_to_blob (call->message, &len,
                                                      G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, NULL);
    g_autoptr(GDBusMessage) again = NULL;

    if (blob == NULL)
      return FALSE;
    again = g_dbus_message_new_from_blob (blob, len, G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, NULL);
    return again != NULL;
  }
}

static void
check_answer (Call *call)
{
  GDBusMessage *reply = call->pending.reply;

  if (reply == NULL)
    g_error ("No answer from the library to %s.%s at %s: %s (a hang)", call->interface,
             call->member, call->target->path, call->pending.error->message);
  /* Sockets that came with the answer: bluetoothd closes them. */
  if (g_dbus_message_get_unix_fd_list (reply) != NULL)
    {
      GUnixFDList *fds = g_dbus_message_get_unix_fd_list (reply);

      for (int i = 0; i < g_unix_fd_list_get_length (fds); i++)
        close (g_unix_fd_list_get (fds, i, NULL));
    }
  if (!call->stranger)
    return;
  if (call->target->info != NULL &&
      g_strcmp0 (call->interface, "org.freedesktop.DBus.Introspectable") != 0 &&
      g_strcmp0 (call->interface, "org.freedesktop.DBus.Peer") != 0 &&
      g_dbus_message_get_message_type (reply) != G_DBUS_MESSAGE_TYPE_ERROR)
    g_error ("%s.%s at %s from another client than bluetoothd was answered",
             call->interface, call->member, call->target->path);
  harness->refused += g_dbus_message_get_message_type (reply) == G_DBUS_MESSAGE_TYPE_ERROR;
}

#define MAX_CALLS 4

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Reader r = { data, size };
  Call calls[MAX_CALLS] = { { 0 } };
  g_autofree char *before = NULL;
  gboolean all_strangers = TRUE;
  guint n = 0;
  gint64 start;
  int calls_before;

  if (size < 5)
    return 0;
  start = g_get_monotonic_time ();
  calls_before = g_atomic_int_get (&harness->lib_calls);
  harness->inputs++;

  /* One call, or up to MAX_CALLS sent before any answer (calls on one
   * object are answered in order, behind a deferred one). */
  do
    {
      if (!build_call (&r, &calls[n]))
        {
          for (guint i = 0; i <= n; i++)
            call_clear (&calls[i]);
          return 0;
        }
      all_strangers &= calls[n].stranger;
      n++;
    }
  while (calls[n - 1].more && n < MAX_CALLS && r.len > 0);

  if (all_strangers)
    before = snapshot ();
  for (guint i = 0; i < n; i++)
    {
      harness->calls++;
      if (calls[i].no_reply)
        g_dbus_connection_send_message (harness->bus, calls[i].message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                        NULL, NULL);
      else
        g_dbus_connection_send_message_with_reply (harness->bus, calls[i].message,
                                                   G_DBUS_SEND_MESSAGE_FLAGS_NONE, REPLY_TIMEOUT_MSEC,
                                                   NULL, NULL, got_reply, &calls[i].pending);
    }
  for (guint i = 0; i < n; i++)
    {
      if (calls[i].no_reply)
        continue;
      while (!calls[i].pending.done)
        g_main_context_iteration (NULL, TRUE);
      check_answer (&calls[i]);
    }

  /* A round trip through the library's main loop: the calls without an
   * answer were dispatched too. */
  settle (calls_before);
  if (all_strangers)
    {
      g_autofree char *after = snapshot ();

      if (strcmp (before, after) != 0)
        g_error ("A call from another client changed the application:\n%s\nbecame\n%s", before, after);
    }
  reset ();
  if (harness->timing)
    g_printerr ("%s.%s at %s%s, %u call(s): %.3f ms\n", calls[0].interface, calls[0].member,
                calls[0].target->path, calls[0].stranger ? " (stranger)" : "", n,
                (g_get_monotonic_time () - start) / 1000.0);
  for (guint i = 0; i < n; i++)
    call_clear (&calls[i]);
  return 0;
}
