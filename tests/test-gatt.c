/* test-gatt.c: the GATT object model against the fake BlueZ, asserting
 * what a central sees.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-attribute-private.h"

#include <string.h>

#define RFLAGS GP_CHARACTERISTIC_FLAGS_READ
#define WFLAGS GP_CHARACTERISTIC_FLAGS_WRITE

typedef struct
{
  GpApplication    *app;
  GpService        *hrs;       /* primary 180d */
  GpService        *secondary; /* secondary, included by third */
  GpService        *third;     /* primary, includes secondary */
  GpCharacteristic *hrm;       /* read | notify, with a 2901 descriptor */
  GpCharacteristic *rw;        /* read | write */
  GpCharacteristic *ind;       /* indicate only */
  GpDescriptor     *user_desc;
} Profile;

static void
profile_init (Profile     *p,
              FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;

  p->app = gp_application_new_for_connection (fx->conn, "/test/app");
  p->hrs = gp_service_new ("180d", TRUE, &error);
  p->secondary = gp_service_new ("12345678-1234-5678-1234-56789abcdef0", FALSE, &error);
  p->third = gp_service_new ("181c", TRUE, &error);
  g_assert_no_error (error);

  p->hrm = add_chrc (p->hrs, "2a37", RFLAGS | GP_CHARACTERISTIC_FLAGS_NOTIFY);
  p->user_desc = gp_descriptor_new_user_description ("Heart rate", &error);
  g_assert_true (gp_characteristic_add_descriptor (p->hrm, p->user_desc, &error));
  p->rw = add_chrc (p->secondary, "12345678-1234-5678-1234-56789abcdef1", RFLAGS | WFLAGS);
  p->ind = add_chrc (p->third, "2a05", GP_CHARACTERISTIC_FLAGS_INDICATE);

  g_assert_true (gp_service_add_include (p->third, p->secondary, &error));
  g_assert_true (gp_application_add_service (p->app, p->hrs, &error));
  g_assert_true (gp_application_add_service (p->app, p->secondary, &error));
  g_assert_true (gp_application_add_service (p->app, p->third, &error));
  g_assert_no_error (error);
}

static void
profile_clear (Profile *p)
{
  g_clear_object (&p->app);
  g_clear_object (&p->hrs);
  g_clear_object (&p->secondary);
  g_clear_object (&p->third);
  g_clear_object (&p->user_desc);
}

/* The application's part of the attribute table: bluetoothd's own GAP,
 * GATT and Device Information services take handles 0x0001-0x0014. */
static GVariant *
database (FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetDatabase", g_variant_new ("(s)", "hci0"),
                                         "(aa{sv})", &error);
  g_autoptr(GVariant) all = NULL;
  GVariantBuilder app;

  g_assert_no_error (error);
  all = g_variant_get_child_value (reply, 0);
  g_variant_builder_init (&app, G_VARIANT_TYPE ("aa{sv}"));
  for (gsize i = 0; i < g_variant_n_children (all); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (all, i);
      guint16 h = 0;

      g_variant_lookup (e, "handle", "q", &h);
      if (h >= 0x0015)
        g_variant_builder_add_value (&app, e);
    }
  return g_variant_ref_sink (g_variant_builder_end (&app));
}

static const char *
entry_str (GVariant   *entry,
           const char *key)
{
  const char *s = NULL;
  g_variant_lookup (entry, key, "&s", &s);
  return s;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_ready (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* ---------------------------------------------------------------- */

static void
test_register_tree (FakeFixture   *fx,
                    gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GVariant) db = NULL;
  g_autoptr(GString) types = g_string_new (NULL);
  guint notifies = 0;
  guint16 first = 0, sec_handle = 0, inc_handle = 0;

  profile_init (&p, fx);
  g_signal_connect_swapped (p.app, "notify::registered", G_CALLBACK (g_atomic_int_inc), &notifies);
  fake_register (fx, p.app);
  g_assert_cmpuint (notifies, ==, 1);

  db = database (fx);
  for (gsize i = 0; i < g_variant_n_children (db); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (db, i);
      const char *type = entry_str (e, "type");
      guint16 h = 0;

      g_variant_lookup (e, "handle", "q", &h);
      if (i == 0)
        first = h;
      if (g_strcmp0 (type, "secondary-service") == 0)
        sec_handle = h;
      if (g_strcmp0 (type, "include") == 0)
        g_assert_true (g_variant_lookup (e, "included-handle", "q", &inc_handle));
      g_string_append_printf (types, "%s%s", i ? "," : "", type);
    }

  /* Declaration order: each service with its characteristics, BlueZ's
   * CCC right after a notifying value, then the app's descriptors. */
  g_assert_cmpstr (types->str, ==,
                   "primary-service,characteristic,value,ccc,descriptor,"
                   "secondary-service,characteristic,value,"
                   "primary-service,include,characteristic,value,ccc");
  g_assert_cmphex (first, ==, 0x0015);
  g_assert_cmphex (gp_service_get_handle (p.hrs), ==, 0x0015);
  g_assert_cmphex (inc_handle, ==, sec_handle);
  g_assert_cmphex (gp_service_get_handle (p.secondary), ==, sec_handle);

  /* Handles BlueZ assigned are written back. */
  g_assert_cmphex (gp_attribute_get_handle (GP_ATTRIBUTE (p.hrm)), ==, fake_handle_of (fx, GP_ATTRIBUTE (p.hrm)));
  g_assert_cmphex (gp_attribute_get_handle (GP_ATTRIBUTE (p.hrm)), ==, 0x0017);
  g_assert_cmphex (gp_attribute_get_handle (GP_ATTRIBUTE (p.user_desc)), ==, 0x0019);

  /* The characteristic's properties byte: read (0x02) | notify (0x10). */
  {
    g_autoptr(GVariant) e = fake_db_entry (fx, gp_attribute_get_object_path (GP_ATTRIBUTE (p.hrm)), "value");
    guint8 props = 0;
    g_assert_true (g_variant_lookup (e, "properties", "y", &props));
    g_assert_cmphex (props, ==, 0x12);
  }

  fake_unregister (fx, p.app);
  g_assert_cmpuint (notifies, ==, 2);
  {
    g_autoptr(GVariant) after = database (fx);
    g_assert_cmpuint (g_variant_n_children (after), ==, 0);
  }
  /* And again. */
  fake_register (fx, p.app);
  fake_unregister (fx, p.app);
  profile_clear (&p);
}

static void
test_register_errors (FakeFixture   *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpApplication) empty = gp_application_new_for_connection (fx->conn, "/test/empty");
  Profile p = { 0 };

  g_assert_false (fake_register_error (fx, empty, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
  g_clear_error (&error);

  /* An included service declared after its includer. */
  {
    g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->conn, "/test/order");
    g_autoptr(GpService) a = gp_service_new ("1810", TRUE, &error);
    g_autoptr(GpService) b = gp_service_new ("1811", FALSE, &error);

    add_chrc (a, "2a00", RFLAGS);
    add_chrc (b, "2a01", RFLAGS);
    g_assert_true (gp_service_add_include (a, b, &error));
    g_assert_true (gp_application_add_service (app, a, &error));
    g_assert_true (gp_application_add_service (app, b, &error));
    g_assert_false (fake_register_error (fx, app, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS);
    g_assert_nonnull (strstr (error->message, "first"));
    g_clear_error (&error);
  }

  profile_init (&p, fx);
  /* Two registrations at once, then twice. */
  {
    GAsyncResult *r1 = NULL;
    g_autoptr(GError) e2 = NULL;

    gp_application_register_async (p.app, NULL, NULL, store_result, &r1);
    g_assert_false (fake_register_error (fx, p.app, &e2));
    g_assert_error (e2, GP_ERROR, GP_ERROR_IN_PROGRESS);
    spin_until (result_ready, &r1, 5000);
    g_assert_true (gp_application_register_finish (p.app, r1, &error));
    g_assert_no_error (error);
    g_object_unref (r1);
  }
  g_assert_false (fake_register_error (fx, p.app, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);

  /* The tree is fixed while registered. */
  {
    g_autoptr(GpService) late = gp_service_new ("1812", TRUE, &error);
    g_autoptr(GpCharacteristic) c = gp_characteristic_new ("2a02", RFLAGS, &error);
    g_autoptr(GpDescriptor) d = gp_descriptor_new ("2904", GP_DESCRIPTOR_FLAGS_READ, &error);

    g_assert_false (gp_application_add_service (p.app, late, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
    g_assert_false (gp_service_add_characteristic (p.hrs, c, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
    g_assert_false (gp_characteristic_add_descriptor (p.hrm, d, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
    g_assert_false (gp_attribute_set_handle (GP_ATTRIBUTE (p.hrm), 0x100, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
  }

  fake_unregister (fx, p.app);
  {
    GAsyncResult *res = NULL;
    gp_application_unregister_async (p.app, NULL, store_result, &res);
    spin_until (result_ready, &res, 5000);
    g_assert_false (gp_application_unregister_finish (p.app, res, &error));
    g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
    g_clear_error (&error);
    g_object_unref (res);
  }
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Reads                                                              */

static GBytes *
pattern (gsize len)
{
  guint8 *buf = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) (i * 7 + 3);
  return g_bytes_new_take (buf, len);
}

static void
test_read_static_and_long (FakeFixture   *fx,
                           gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = pattern (300);
  g_autoptr(GByteArray) assembled = g_byte_array_new ();
  g_autoptr(GBytes) got = NULL;
  guint16 h;
  guint16 offset = 0;

  profile_init (&p, fx);
  g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (p.hrm), value, &error));
  fake_register (fx, p.app);
  h = fake_handle_of (fx, GP_ATTRIBUTE (p.hrm));

  /* Read, then Read Blob at each offset, with a 23-byte MTU: each
   * response carries MTU - 1 bytes. */
  for (;;)
    {
      g_autoptr(GBytes) part = NULL;
      g_assert_cmphex (fake_read (fx, h, offset, 23, &part), ==, 0);
      g_byte_array_append (assembled, g_bytes_get_data (part, NULL), g_bytes_get_size (part));
      if (g_bytes_get_size (part) < 22)
        break;
      g_assert_cmpuint (g_bytes_get_size (part), ==, 22);
      offset += 22;
    }
  g_assert_cmpmem (assembled->data, assembled->len, g_bytes_get_data (value, NULL), 300);

  /* An offset at the end gives nothing; past it, Invalid Offset. */
  g_assert_cmphex (fake_read (fx, h, 300, 517, &got), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 0);
  g_clear_pointer (&got, g_bytes_unref);
  g_assert_cmphex (fake_read (fx, h, 301, 517, NULL), ==, 0x07);

  /* The descriptor reads too. */
  g_assert_cmphex (fake_read (fx, fake_handle_of (fx, GP_ATTRIBUTE (p.user_desc)), 0, 517, &got), ==, 0);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "Heart rate", 10);

  profile_clear (&p);
}

typedef struct
{
  FakeFixture *fx;
  GpRequest   *held;
  guint        calls;
  GError      *error;       /* to answer with, if set */
  GBytes      *value;       /* to answer with otherwise */
  gboolean     defer;
  gboolean     pass;        /* return FALSE without answering */
} Handler;

static gboolean
answer_later (gpointer data)
{
  Handler *h = data;
  g_autoptr(GpRequest) req = g_steal_pointer (&h->held);

  if (gp_request_get_kind (req) == GP_REQUEST_KIND_READ)
    gp_request_return_value (req, h->value);
  else
    gp_request_return_success (req);
  return G_SOURCE_REMOVE;
}

static gboolean
on_request (GpAttribute *attr,
            GpRequest   *req,
            gpointer     data)
{
  Handler *h = data;

  h->calls++;
  g_assert_true (gp_request_get_attribute (req) == attr);
  g_assert_cmpstr (gp_request_get_device_path (req), ==, h->fx->device);
  g_assert_cmpint (gp_request_get_link (req), ==, GP_LINK_TYPE_LE);
  g_assert_cmpint (gp_request_get_write_type (req), ==, GP_WRITE_TYPE_UNKNOWN);
  g_clear_object (&h->held);
  h->held = g_object_ref (req);
  if (h->pass)
    return FALSE;
  if (h->error != NULL)
    gp_request_return_error (req, h->error);
  else if (h->defer)
    {
      g_timeout_add (200, answer_later, h);
      return TRUE;
    }
  else if (gp_request_get_kind (req) == GP_REQUEST_KIND_READ)
    gp_request_return_value (req, h->value);
  else
    gp_request_return_success (req);
  g_assert_true (gp_request_get_answered (req));
  return TRUE;
}

static gboolean
handler_called (gpointer data)
{
  return ((Handler *) data)->calls > 0;
}

static void
test_read_handlers (FakeFixture   *fx,
                    gconstpointer  data)
{
  Profile p = { 0 };
  Handler h = { fx, NULL, 0, NULL, NULL, FALSE, FALSE };
  g_autoptr(GBytes) got = NULL;
  gint64 start;
  guint16 handle;

  profile_init (&p, fx);
  h.value = bytes_from_string ("0123456789");
  g_signal_connect (p.hrm, "read-request", G_CALLBACK (on_request), &h);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.hrm));

  /* At once, with the offset applied by the library. */
  g_assert_cmphex (fake_read (fx, handle, 4, 185, &got), ==, 0);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "456789", 6);
  g_assert_cmpuint (gp_request_get_offset (h.held), ==, 4);
  g_assert_cmpuint (gp_request_get_mtu (h.held), ==, 185);
  g_assert_null (gp_request_get_value (h.held));
  g_clear_pointer (&got, g_bytes_unref);

  /* Deferred by 200 ms. */
  h.defer = TRUE;
  start = g_get_monotonic_time ();
  g_assert_cmphex (fake_read (fx, handle, 0, 185, &got), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "0123456789", 10);
  g_clear_pointer (&got, g_bytes_unref);
  h.defer = FALSE;

  /* A handler that lets the default answer: the stored value. */
  h.pass = TRUE;
  g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (p.hrm), (const guint8 *) "\x00\x50", 2, NULL));
  g_assert_cmphex (fake_read (fx, handle, 0, 185, &got), ==, 0);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "\x00\x50", 2);
  g_assert_cmpuint (h.calls, ==, 3);

  g_clear_object (&h.held);
  g_clear_pointer (&h.value, g_bytes_unref);
  profile_clear (&p);
}

static void
test_errors_end_to_end (FakeFixture   *fx,
                        gconstpointer  data)
{
  struct { GpError code; const char *msg; guint8 read_att; guint8 write_att; } table[] = {
    { GP_ERROR_FAILED, "0x85", 0x85, 0x85 },
    { GP_ERROR_FAILED, "0x9f", 0x9f, 0x9f },
    { GP_ERROR_FAILED, "The sensor is off", 0x80, 0x80 },
    { GP_ERROR_FAILED, "", 0x0e, 0x0e },
    { GP_ERROR_NOT_PERMITTED, "no", 0x02, 0x03 },
    { GP_ERROR_NOT_AUTHORIZED, "no", 0x08, 0x08 },
    { GP_ERROR_INVALID_OFFSET, "no", 0x07, 0x07 },
    { GP_ERROR_INVALID_VALUE_LENGTH, "no", 0x0d, 0x0d },
    { GP_ERROR_NOT_SUPPORTED, "no", 0x06, 0x06 },
    { GP_ERROR_IN_PROGRESS, "no", 0xfe, 0xfe },
    { GP_ERROR_INVALID_ARGUMENTS, "no", 0x0e, 0x0e },
  };
  Profile p = { 0 };
  Handler h = { fx, NULL, 0, NULL, NULL, FALSE, FALSE };
  g_autoptr(GBytes) one = bytes_from_string ("x");
  guint16 handle;

  profile_init (&p, fx);
  g_signal_connect (p.rw, "read-request", G_CALLBACK (on_request), &h);
  g_signal_connect (p.rw, "write-request", G_CALLBACK (on_request), &h);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rw));

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      h.error = g_error_new_literal (GP_ERROR, table[i].code, table[i].msg);
      g_assert_cmphex (fake_read (fx, handle, 0, 517, NULL), ==, table[i].read_att);
      g_assert_cmphex (fake_write (fx, handle, 0, one, "request"), ==, table[i].write_att);
      g_clear_error (&h.error);
    }

  /* gp_request_return_att_error() and a foreign error domain. */
  h.error = gp_error_new_att (0x9a);
  g_assert_cmphex (fake_read (fx, handle, 0, 517, NULL), ==, 0x9a);
  g_clear_error (&h.error);
  h.error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "foreign");
  g_assert_cmphex (fake_read (fx, handle, 0, 517, NULL), ==, 0x0e);
  g_clear_error (&h.error);

  g_clear_object (&h.held);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Writes                                                             */

static void
test_write_default (FakeFixture   *fx,
                    gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GBytes) hello = bytes_from_string ("hello");
  g_autoptr(GBytes) big = pattern (400);
  /* BlueZ 5.66 counts the handle in the 512-byte limit (511 bytes are
   * too many); from 5.69 513 are. */
  const char *bluez = g_getenv ("FAKEBLUEZ_BLUEZ");
  g_autoptr(GBytes) too_big = pattern (bluez == NULL || g_str_equal (bluez, "5.66") ? 511 : 513);
  GBytes *stored;
  guint16 handle;
  gsize done = 0;

  profile_init (&p, fx);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rw));

  g_assert_cmphex (fake_write (fx, handle, 0, hello, "request"), ==, 0);
  stored = gp_attribute_get_value (GP_ATTRIBUTE (p.rw));
  g_assert_cmpmem (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored), "hello", 5);

  /* A long write: prepared chunks at their offsets, then executed. */
  while (done < 400)
    {
      gsize n = MIN (18, 400 - done);
      g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (big, done, n);
      g_assert_cmphex (fake_write (fx, handle, (guint16) done, chunk, "prepare"), ==, 0);
      done += n;
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) r = fake_call (fx, "ExecuteWrite", g_variant_new ("(ob)", fx->device, TRUE),
                                       "(y)", &error);
    guint8 att;
    g_assert_no_error (error);
    g_variant_get (r, "(y)", &att);
    g_assert_cmphex (att, ==, 0);
  }
  stored = gp_attribute_get_value (GP_ATTRIBUTE (p.rw));
  g_assert_true (g_bytes_equal (stored, big));

  /* BlueZ refuses a write over its limit itself; the app never sees it. */
  g_assert_cmphex (fake_write (fx, handle, 0, too_big, "request"), ==, 0x0d);
  g_assert_true (g_bytes_equal (gp_attribute_get_value (GP_ATTRIBUTE (p.rw)), big));

  /* A prepared write at an offset past the end fails at execution. */
  g_assert_cmphex (fake_write (fx, handle, 401, hello, "prepare"), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) r = fake_call (fx, "ExecuteWrite", g_variant_new ("(ob)", fx->device, TRUE),
                                       "(y)", &error);
    guint8 att;
    g_assert_no_error (error);
    g_variant_get (r, "(y)", &att);
    g_assert_cmphex (att, ==, 0x07);
  }

  profile_clear (&p);
}

static void
test_write_handlers (FakeFixture   *fx,
                     gconstpointer  data)
{
  Profile p = { 0 };
  Handler h = { fx, NULL, 0, NULL, NULL, FALSE, FALSE };
  g_autoptr(GBytes) v1 = bytes_from_string ("v1");
  g_autoptr(GBytes) v2 = bytes_from_string ("v2");
  g_autoptr(GError) error = NULL;
  GpCharacteristic *wwr;
  guint16 handle, wwr_handle;

  profile_init (&p, fx);
  wwr = add_chrc (p.hrs, "2a39", GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE);
  g_signal_connect (p.rw, "write-request", G_CALLBACK (on_request), &h);
  g_signal_connect (wwr, "write-request", G_CALLBACK (on_request), &h);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rw));
  wwr_handle = fake_handle_of (fx, GP_ATTRIBUTE (wwr));

  /* A validating handler that lets the default store the value. */
  h.pass = TRUE;
  g_assert_cmphex (fake_write (fx, handle, 0, v1, "request"), ==, 0);
  g_assert_true (g_bytes_equal (gp_request_get_value (h.held), v1));
  g_assert_true (g_bytes_equal (gp_attribute_get_value (GP_ATTRIBUTE (p.rw)), v1));
  h.pass = FALSE;

  /* A handler that takes the write does not store it. */
  g_assert_cmphex (fake_write (fx, handle, 0, v2, "request"), ==, 0);
  g_assert_true (g_bytes_equal (gp_attribute_get_value (GP_ATTRIBUTE (p.rw)), v1));

  /* Deferred. */
  h.defer = TRUE;
  g_assert_cmphex (fake_write (fx, handle, 0, v2, "request"), ==, 0);
  h.defer = FALSE;

  /* write-without-response: BlueZ acknowledges before the app answers,
   * so even a refusal reaches the central as success. */
  h.error = g_error_new_literal (GP_ERROR, GP_ERROR_NOT_PERMITTED, "no");
  h.calls = 0;
  g_assert_cmphex (fake_write (fx, wwr_handle, 0, v1, "request"), ==, 0);
  spin_until (handler_called, &h, 3000);
  g_assert_true (g_bytes_equal (gp_request_get_value (h.held), v1));
  g_clear_error (&h.error);
  (void) error;

  g_clear_object (&h.held);
  profile_clear (&p);
}

typedef struct
{
  guint    asked;
  guint    written;
  gboolean refuse;
} Authorizer;

static gboolean
on_authorize (GpAttribute *attr,
              GpRequest   *req,
              gpointer     data)
{
  Authorizer *a = data;

  if (!gp_request_get_prepare_authorize (req))
    {
      a->written++;
      return FALSE;   /* let the default store it */
    }
  a->asked++;
  if (a->refuse)
    gp_request_return_error_literal (req, GP_ERROR_NOT_AUTHORIZED, "not you");
  else
    gp_request_return_success (req);
  return TRUE;
}

static guint8
execute (FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = fake_call (fx, "ExecuteWrite", g_variant_new ("(ob)", fx->device, TRUE),
                                     "(y)", &error);
  guint8 att;

  g_assert_no_error (error);
  g_variant_get (r, "(y)", &att);
  return att;
}

static void
test_prepare_authorize (FakeFixture   *fx,
                        gconstpointer  data)
{
  Profile p = { 0 };
  Authorizer a = { 0 };
  g_autoptr(GBytes) v = bytes_from_string ("secret");
  GpCharacteristic *guarded, *open_chrc;
  guint16 h, h_open;

  profile_init (&p, fx);
  guarded = add_chrc (p.hrs, "2a3a", RFLAGS | WFLAGS | GP_CHARACTERISTIC_FLAGS_AUTHORIZE);
  open_chrc = add_chrc (p.hrs, "2a3b", RFLAGS | WFLAGS | GP_CHARACTERISTIC_FLAGS_AUTHORIZE);
  g_signal_connect (guarded, "write-request", G_CALLBACK (on_authorize), &a);
  fake_register (fx, p.app);
  h = fake_handle_of (fx, GP_ATTRIBUTE (guarded));
  h_open = fake_handle_of (fx, GP_ATTRIBUTE (open_chrc));

  /* An untrusted device's prepared write asks the application first. */
  a.refuse = TRUE;
  g_assert_cmphex (fake_write (fx, h, 0, v, "prepare"), ==, 0x08);
  g_assert_cmpuint (a.asked, ==, 1);
  g_assert_cmpuint (a.written, ==, 0);
  execute (fx);
  g_assert_cmpuint (g_bytes_get_size (gp_attribute_get_value (GP_ATTRIBUTE (guarded))), ==, 0);

  a.refuse = FALSE;
  g_assert_cmphex (fake_write (fx, h, 0, v, "prepare"), ==, 0);
  g_assert_cmphex (execute (fx), ==, 0);
  g_assert_cmpuint (a.asked, ==, 2);
  g_assert_cmpuint (a.written, ==, 1);
  g_assert_true (g_bytes_equal (gp_attribute_get_value (GP_ATTRIBUTE (guarded)), v));

  /* With no handler, the library authorizes and stores. */
  g_assert_cmphex (fake_write (fx, h_open, 0, v, "prepare"), ==, 0);
  g_assert_cmphex (execute (fx), ==, 0);
  g_assert_true (g_bytes_equal (gp_attribute_get_value (GP_ATTRIBUTE (open_chrc)), v));

  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Notifications and indications                                      */

static gboolean
no_backlog (gpointer data)
{
  return gp_characteristic_get_backlog (data) == 0;
}

typedef struct
{
  FakeFixture *fx;
  GPtrArray   *values;   /* of GBytes */
  guint        indications;
  guint        wanted;
} Collected;

/* The notification tests run on both paths: over an AcquireNotify
 * socket and as PropertiesChanged signals (the default). */
static const char PATH_SOCKET[] = "socket";
static const char PATH_SIGNALS[] = "signals";

static gboolean
on_socket (gconstpointer data)
{
  return data != PATH_SIGNALS;
}

static void
use_path (Profile       *p,
          gconstpointer  data)
{
  g_assert_false (gp_characteristic_get_acquire_notify (p->hrm));   /* the default */
  gp_characteristic_set_acquire_notify (p->hrm, on_socket (data));
}

/* The fake BlueZ took the path asked for at the subscription. */
static void
assert_path (FakeFixture   *fx,
             gconstpointer  data)
{
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, on_socket (data) ? 1 : 0);
  g_assert_cmpuint (fake_stat (fx, "StartNotify"), ==, on_socket (data) ? 0 : 1);
}

static gboolean
collected_enough (gpointer data)
{
  Collected *c = data;

  c->indications += fake_collect_notifications (c->fx, 0, c->values);
  return c->values->len >= c->wanted;
}

static void
test_notify (FakeFixture   *fx,
             gconstpointer  data)
{
  Profile p = { 0 };
  Collected c = { fx, g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref), 0, 100 };
  guint notifying_changes = 0;

  profile_init (&p, fx);
  use_path (&p, data);
  g_signal_connect_swapped (p.hrm, "notify::notifying", G_CALLBACK (g_atomic_int_inc), &notifying_changes);
  fake_register (fx, p.app);
  g_assert_false (gp_characteristic_get_notifying (p.hrm));

  g_assert_cmphex (fake_subscribe (fx, p.hrm, 0x0001), ==, 0);
  spin_until (is_notifying, p.hrm, 3000);
  assert_path (fx, data);

  /* 100 values, 10 of them repeated: all arrive, in order. */
  for (guint i = 0; i < 100; i++)
    {
      guint8 v[2] = { 0, (guint8) (i < 10 ? 60 : i) };
      g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (p.hrm), v, 2, NULL));
      /* A producer that waits for its value to leave never loses one. */
      spin_until (no_backlog, p.hrm, 3000);
    }
  spin_until (collected_enough, &c, 10000);
  g_assert_cmpuint (c.values->len, ==, 100);
  g_assert_cmpuint (c.indications, ==, 0);
  for (guint i = 0; i < 100; i++)
    {
      const guint8 *v = g_bytes_get_data (g_ptr_array_index (c.values, i), NULL);
      g_assert_cmpuint (v[1], ==, i < 10 ? 60 : i);
    }

  /* Unsubscribe: no more notifications. */
  g_assert_cmphex (fake_subscribe (fx, p.hrm, 0x0000), ==, 0);
  spin_until (not_notifying, p.hrm, 3000);
  g_assert_cmpuint (notifying_changes, ==, 2);
  g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (p.hrm), (const guint8 *) "\x00\x01", 2, NULL));
  spin_for (200);
  {
    g_autoptr(GVariant) none = fake_take_notifications (fx);
    g_assert_cmpuint (g_variant_n_children (none), ==, 0);
  }

  g_ptr_array_unref (c.values);
  profile_clear (&p);
}

static void
test_notify_pacing (FakeFixture   *fx,
                    gconstpointer  data)
{
  Profile p = { 0 };
  Collected c = { fx, g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref), 0, 0 };
  const guint n = 20000;
  /* A datagram on a socket takes a quarter of a window slot (FD_SHARE). */
  const guint w = on_socket (data) ? 8 * 4 : 8;
  guint max_backlog = 0;
  guint8 last[4] = { 0 };

  profile_init (&p, fx);
  use_path (&p, data);
  gp_application_set_notification_window (p.app, 8);
  fake_register (fx, p.app);
  g_assert_cmphex (fake_subscribe (fx, p.hrm, 0x0001), ==, 0);
  spin_until (is_notifying, p.hrm, 3000);
  assert_path (fx, data);

  /* A producer that never yields to the main loop: the library sends at
   * most a window's worth and keeps only the newest value. */
  for (guint i = 0; i < n; i++)
    {
      guint8 v[4] = { i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0 };
      g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (p.hrm), v, 4, NULL));
      max_backlog = MAX (max_backlog, gp_characteristic_get_backlog (p.hrm));
      memcpy (last, v, 4);
    }
  g_assert_cmpuint (max_backlog, <=, 1);
  g_assert_cmpuint (gp_characteristic_get_coalesced (p.hrm), >=, n - w - 1);

  spin_until (no_backlog, p.hrm, 5000);
  spin_for (300);
  collected_enough (&c);
  g_assert_cmpuint (c.values->len, <=, w + 1);
  g_assert_cmpuint (c.values->len, >=, 2);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (c.values, c.values->len - 1), NULL), 4, last, 4);
  g_assert_cmpuint (c.values->len + gp_characteristic_get_coalesced (p.hrm), ==, n);

  g_ptr_array_unref (c.values);
  profile_clear (&p);
}

typedef struct
{
  guint  done;
  guint  failed;
  GError *error;
} SendState;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SendState *s = user_data;
  g_autoptr(GError) error = NULL;

  if (gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &error))
    s->done++;
  else
    {
      s->failed++;
      g_clear_error (&s->error);
      s->error = g_steal_pointer (&error);
    }
}

static gboolean
send_finished (gpointer data)
{
  SendState *s = data;
  return s->done + s->failed > 0;
}

static void
test_send_value_async (FakeFixture   *fx,
                       gconstpointer  data)
{
  Profile p = { 0 };
  Collected c = { fx, g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref), 0, 50 };
  SendState s = { 0 };

  profile_init (&p, fx);
  use_path (&p, data);
  fake_register (fx, p.app);

  /* Nobody subscribed. */
  {
    g_autoptr(GBytes) v = bytes_from_string ("x");
    gp_characteristic_send_value_async (p.hrm, v, NULL, sent_cb, &s);
    spin_until (send_finished, &s, 3000);
    g_assert_error (s.error, GP_ERROR, GP_ERROR_NOT_CONNECTED);
    g_clear_error (&s.error);
    s.failed = 0;
  }

  g_assert_cmphex (fake_subscribe (fx, p.hrm, 0x0001), ==, 0);
  spin_until (is_notifying, p.hrm, 3000);
  assert_path (fx, data);

  /* Awaited one by one: every value is delivered, none coalesced. */
  for (guint i = 0; i < 50; i++)
    {
      guint8 v[1] = { (guint8) i };
      g_autoptr(GBytes) b = g_bytes_new (v, 1);

      s.done = 0;
      gp_characteristic_send_value_async (p.hrm, b, NULL, sent_cb, &s);
      spin_until (send_finished, &s, 3000);
      g_assert_cmpuint (s.done, ==, 1);
    }
  spin_until (collected_enough, &c, 5000);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (g_ptr_array_index (c.values, i), NULL))[0], ==, i);
  g_assert_cmpuint (gp_characteristic_get_coalesced (p.hrm), ==, 0);

  g_ptr_array_unref (c.values);
  profile_clear (&p);
}


static guint64
stat_of (FakeFixture *fx,
         const char  *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = fake_call (fx, "GetStats", NULL, "(a{sv})", &error);
  g_autoptr(GVariant) stats = g_variant_get_child_value (r, 0);
  g_autoptr(GVariant) v = g_variant_lookup_value (stats, name, NULL);

  g_assert_no_error (error);
  if (v == NULL)
    return 0;
  return g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64) ? g_variant_get_uint64 (v)
                                                          : (guint64) g_variant_get_int64 (v);
}

static void
test_notify_acquired (FakeFixture   *fx,
                      gconstpointer  data)
{
  Profile p = { 0 };
  Collected c = { fx, g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref), 0, 21 };
  SendState s = { 0 };

  profile_init (&p, fx);
  gp_characteristic_set_acquire_notify (p.hrm, TRUE);
  fake_register (fx, p.app);

  /* Subscribing makes bluetoothd acquire a socket instead of StartNotify. */
  g_assert_cmphex (fake_subscribe (fx, p.hrm, 0x0001), ==, 0);
  spin_until (is_notifying, p.hrm, 3000);
  g_assert_cmpuint (stat_of (fx, "AcquireNotify"), ==, 1);
  g_assert_cmpuint (stat_of (fx, "StartNotify"), ==, 0);

  for (guint i = 0; i < 20; i++)
    {
      guint8 v[3] = { 0, (guint8) i, 0xff };
      g_autoptr(GBytes) b = g_bytes_new (v, 3);

      s.done = 0;
      gp_characteristic_send_value_async (p.hrm, b, NULL, sent_cb, &s);
      spin_until (send_finished, &s, 3000);
      g_assert_cmpuint (s.done, ==, 1);
    }
  /* An empty value cannot be a datagram: it goes as a signal. */
  {
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (p.hrm), empty, NULL));
  }
  spin_until (collected_enough, &c, 5000);
  /* The socket values arrive in order; the empty one took the other path
   * (a signal) and may overtake datagrams bluetoothd has not read yet. */
  {
    guint next = 0, empty = 0;

    for (guint i = 0; i < c.values->len; i++)
      {
        GBytes *b = g_ptr_array_index (c.values, i);

        if (g_bytes_get_size (b) == 0)
          {
            empty++;
            continue;
          }
        g_assert_cmpuint (g_bytes_get_size (b), ==, 3);
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (b, NULL))[1], ==, next);
        next++;
      }
    g_assert_cmpuint (next, ==, 20);
    g_assert_cmpuint (empty, ==, 1);
  }
  g_assert_cmpuint (stat_of (fx, "ValueChanged"), ==, 1);

  /* The last unsubscription closes bluetoothd's end. */
  g_assert_cmphex (fake_subscribe (fx, p.hrm, 0x0000), ==, 0);
  spin_until (not_notifying, p.hrm, 3000);

  g_ptr_array_unref (c.values);
  profile_clear (&p);
}

static void
test_indicate (FakeFixture   *fx,
               gconstpointer  data)
{
  Profile p = { 0 };
  Collected c = { fx, g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref), 0, 1 };
  SendState s = { 0 };
  g_autoptr(GBytes) v = bytes_from_string ("ind");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = NULL;

  profile_init (&p, fx);
  /* With acquire-notify on, a characteristic that can only indicate
   * still stays on signals, to hear the confirmations. */
  gp_characteristic_set_acquire_notify (p.ind, TRUE);
  fake_register (fx, p.app);
  g_assert_cmphex (fake_subscribe (fx, p.ind, 0x0002), ==, 0);
  spin_until (is_notifying, p.ind, 3000);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, 0);
  g_assert_cmpuint (fake_stat (fx, "StartNotify"), ==, 1);

  r = fake_call (fx, "SetAutoConfirm", g_variant_new ("(b)", FALSE), NULL, &error);
  g_assert_no_error (error);

  gp_characteristic_send_value_async (p.ind, v, NULL, sent_cb, &s);
  spin_until (collected_enough, &c, 3000);
  g_assert_cmpuint (c.indications, ==, 1);
  spin_for (300);
  /* Sent, but not confirmed yet. */
  g_assert_cmpuint (s.done + s.failed, ==, 0);

  g_clear_pointer (&r, g_variant_unref);
  r = fake_call (fx, "ConfirmPending", g_variant_new ("(o)", fx->device), NULL, &error);
  g_assert_no_error (error);
  spin_until (send_finished, &s, 3000);
  g_assert_cmpuint (s.done, ==, 1);

  g_ptr_array_unref (c.values);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Who may call, bad input, lifecycle                                 */

static void
test_only_bluez_may_call (FakeFixture   *fx,
                          gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *path;

  profile_init (&p, fx);
  fake_register (fx, p.app);
  path = gp_attribute_get_object_path (GP_ATTRIBUTE (p.rw));

  other = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fx->bus),
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);

  {
    GAsyncResult *res = NULL;
    g_dbus_connection_call (other, g_dbus_connection_get_unique_name (fx->conn), path,
                            "org.bluez.GattCharacteristic1", "ReadValue",
                            g_variant_new_parsed ("(@a{sv} {},)"), NULL, G_DBUS_CALL_FLAGS_NONE,
                            5000, NULL, store_result, &res);
    spin_until (result_ready, &res, 5000);
    reply = g_dbus_connection_call_finish (other, res, &error);
    g_object_unref (res);
    g_assert_null (reply);
    g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
  }
  {
    GAsyncResult *res = NULL;
    g_dbus_connection_call (other, g_dbus_connection_get_unique_name (fx->conn), path,
                            "org.freedesktop.DBus.Properties", "Set",
                            g_variant_new ("(ssv)", "org.bluez.GattCharacteristic1", "Handle",
                                           g_variant_new_uint16 (0x99)),
                            NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, store_result, &res);
    spin_until (result_ready, &res, 5000);
    reply = g_dbus_connection_call_finish (other, res, &error);
    g_object_unref (res);
    g_assert_null (reply);
    g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
    g_assert_cmphex (gp_attribute_get_handle (GP_ATTRIBUTE (p.rw)), !=, 0x99);
    g_clear_error (&error);
  }

  g_dbus_connection_close_sync (other, NULL, NULL);
  profile_clear (&p);
}

typedef struct
{
  GpApplication *app;
  GString       *trace;
} RegTrace;

static void
on_registered_changed (GObject    *object,
                       GParamSpec *pspec,
                       gpointer    data)
{
  RegTrace *t = data;
  g_string_append (t->trace, gp_application_get_registered (t->app) ? "up " : "down ");
}

static void
test_bluez_restart (FakeFixture   *fx,
                    gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = NULL;
  g_autoptr(GVariant) apps = NULL;
  g_autoptr(GBytes) got = NULL;
  RegTrace trace = { NULL, g_string_new (NULL) };
  guint16 handle;

  profile_init (&p, fx);
  trace.app = p.app;
  g_assert_true (gp_attribute_set_value_data (GP_ATTRIBUTE (p.hrm), (const guint8 *) "\x00\x42", 2, NULL));
  fake_register (fx, p.app);
  g_signal_connect (p.app, "notify::registered", G_CALLBACK (on_registered_changed), &trace);
  g_assert_cmphex (fake_subscribe (fx, p.hrm, 0x0001), ==, 0);
  spin_until (is_notifying, p.hrm, 3000);

  /* bluetoothd restarts: every registration is dropped silently... */
  r = fake_call (fx, "Restart", NULL, NULL, &error);
  g_assert_no_error (error);
  spin_until (app_not_registered, p.app, 5000);
  g_assert_false (gp_characteristic_get_notifying (p.hrm));

  /* ...and the application registers itself again. */
  spin_until (app_is_registered, p.app, 10000);
  g_assert_cmpstr (trace.trace->str, ==, "down up ");
  g_clear_pointer (&r, g_variant_unref);
  r = fake_call (fx, "GetApplications", NULL, "(a(so))", &error);
  g_assert_no_error (error);
  apps = g_variant_get_child_value (r, 0);
  g_assert_cmpuint (g_variant_n_children (apps), ==, 1);

  /* The devices went with bluetoothd: a new central reads the value. */
  g_clear_pointer (&r, g_variant_unref);
  g_free (fx->device);
  r = fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "11:22:33:44:55:77", "again"),
                 "(o)", &error);
  g_assert_no_error (error);
  g_variant_get (r, "(o)", &fx->device);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.hrm));
  g_assert_cmphex (fake_read (fx, handle, 0, 517, &got), ==, 0);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "\x00\x42", 2);

  /* Without auto-register, it stays down. */
  gp_application_set_auto_register (p.app, FALSE);
  g_clear_pointer (&r, g_variant_unref);
  r = fake_call (fx, "Restart", NULL, NULL, &error);
  g_assert_no_error (error);
  spin_until (app_not_registered, p.app, 5000);
  spin_for (800);
  g_assert_false (gp_application_get_registered (p.app));

  g_string_free (trace.trace, TRUE);
  profile_clear (&p);
}

static void
test_remove_service_registered (FakeFixture   *fx,
                                gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) before = NULL;
  g_autoptr(GVariant) after = NULL;
  g_autofree char *hrs_path = NULL;

  profile_init (&p, fx);
  fake_register (fx, p.app);
  hrs_path = g_strdup (gp_attribute_get_object_path (GP_ATTRIBUTE (p.hrm)));
  before = fake_db_entry (fx, hrs_path, "value");
  g_assert_nonnull (before);

  g_assert_true (gp_application_remove_service (p.app, p.hrs, &error));
  g_assert_no_error (error);
  spin_for (300);
  after = fake_db_entry (fx, hrs_path, "value");
  g_assert_null (after);
  g_assert_true (gp_application_get_registered (p.app));

  profile_clear (&p);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, FakeFixture, NULL, fake_fixture_setup, fn, fake_fixture_teardown)
  ADD ("/gatt/register/tree", test_register_tree);
  ADD ("/gatt/register/errors", test_register_errors);
  ADD ("/gatt/read/static-and-long", test_read_static_and_long);
  ADD ("/gatt/read/handlers", test_read_handlers);
  ADD ("/gatt/errors/end-to-end", test_errors_end_to_end);
  ADD ("/gatt/write/default", test_write_default);
  ADD ("/gatt/write/handlers", test_write_handlers);
  ADD ("/gatt/write/prepare-authorize", test_prepare_authorize);
#define ADD_PATHS(name, fn) \
  g_test_add (name "/socket", FakeFixture, PATH_SOCKET, fake_fixture_setup, fn, fake_fixture_teardown); \
  g_test_add (name "/signals", FakeFixture, PATH_SIGNALS, fake_fixture_setup, fn, fake_fixture_teardown)
  ADD_PATHS ("/gatt/notify/basic", test_notify);
  ADD_PATHS ("/gatt/notify/pacing", test_notify_pacing);
  ADD_PATHS ("/gatt/notify/send-value-async", test_send_value_async);
  ADD ("/gatt/indicate", test_indicate);
  ADD ("/gatt/notify/acquired", test_notify_acquired);
  ADD ("/gatt/security/only-bluez", test_only_bluez_may_call);
  ADD ("/gatt/lifecycle/bluez-restart", test_bluez_restart);
  ADD ("/gatt/lifecycle/remove-service", test_remove_service_registered);
#undef ADD
#undef ADD_PATHS

  return g_test_run ();
}
