/* test-write-path.c: writes with no handler, stored and answered on
 * GDBus's I/O thread, against the fake BlueZ: answered while the main
 * loop does not run, kept in order with each other, with reads and with
 * the calls a handler connected later takes to the main loop, and
 * notified (notify::value) on the application's main context, once per
 * write, in order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"

#include <string.h>

#define CONTROL_PATH  "/org/gattperiph/FakeBlueZ"
#define CONTROL_IFACE "org.gattperiph.FakeBlueZ1"

typedef struct
{
  FakeFixture      *fx;
  GpApplication    *app;
  GpCharacteristic *chrc;
  guint16           handle;
  GThread          *main_thread;
  GPtrArray        *log;         /* char *: "N:<value>" (notify), "H:<value>" (handler) */
} Tree;

static char *
value_text (GBytes *bytes)
{
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
on_value_notify (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  Tree *tree = data;
  g_autofree char *text = value_text (gp_attribute_get_value (GP_ATTRIBUTE (object)));

  /* On the application's main context, never on GDBus's I/O thread. */
  g_assert_true (g_thread_self () == tree->main_thread);
  g_ptr_array_add (tree->log, g_strdup_printf ("N:%s", text));
}

static void
tree_init (Tree                  *tree,
           FakeFixture           *fx,
           GpCharacteristicFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpService) service = gp_service_new ("180d", TRUE, &error);

  tree->fx = fx;
  tree->main_thread = g_thread_self ();
  tree->log = g_ptr_array_new_with_free_func (g_free);
  tree->app = gp_application_new_for_connection (fx->conn, "/writes");
  tree->chrc = gp_characteristic_new ("2a39", flags, &error);
  g_assert_no_error (error);
  g_assert_true (gp_service_add_characteristic (service, tree->chrc, &error));
  g_assert_true (gp_application_add_service (tree->app, service, &error));
  fake_register (fx, tree->app);
  tree->handle = fake_handle_of (fx, GP_ATTRIBUTE (tree->chrc));
  g_signal_connect (tree->chrc, "notify::value", G_CALLBACK (on_value_notify), tree);
}

static void
tree_clear (Tree *tree)
{
  fake_unregister (tree->fx, tree->app);
  g_clear_object (&tree->chrc);
  g_clear_object (&tree->app);
  g_clear_pointer (&tree->log, g_ptr_array_unref);
}

static GVariant *
write_parameters (Tree       *tree,
                  const char *text)
{
  return g_variant_new ("(oqq@ays)", tree->fx->device, tree->handle, 0,
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, text, strlen (text), 1),
                        "request");
}

static char *
nth_value (guint i)
{
  return g_strdup_printf ("value %02u", i);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_ptr_array_add (user_data, g_object_ref (result));
}

/* Writes values @first..@last - 1 as a central would, all outstanding at
 * once (bluetoothd sends them to the application in that order), and
 * checks that each was accepted. */
static void
write_all_at_once (Tree *tree,
                   guint first,
                   guint last)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = first; i < last; i++)
    {
      g_autofree char *text = nth_value (i);

      g_dbus_connection_call (tree->fx->conn, "org.bluez", CONTROL_PATH, CONTROL_IFACE, "Write",
                              write_parameters (tree, text), G_VARIANT_TYPE ("(y)"),
                              G_DBUS_CALL_FLAGS_NONE, 30000, NULL, store_result, results);
    }
  while (results->len < last - first)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  for (guint i = 0; i < results->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = g_dbus_connection_call_finish (tree->fx->conn, results->pdata[i], &error);
      guint8 att;

      g_assert_no_error (error);
      g_variant_get (reply, "(y)", &att);
      g_assert_cmpuint (att, ==, 0);
    }
}

static void
assert_log (Tree        *tree,
            GPtrArray   *expected)
{
  for (guint i = 0; i < MIN (tree->log->len, expected->len); i++)
    g_assert_cmpstr (tree->log->pdata[i], ==, expected->pdata[i]);
  g_assert_cmpuint (tree->log->len, ==, expected->len);
}

/* Writes with no handler, many outstanding: stored in the order
 * bluetoothd sent them, every one notified on the main context, in that
 * order, and the last one is the value (on the main context and for
 * reads). */
static void
test_write_after_write (FakeFixture   *fx,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *last = nth_value (49);
  g_autoptr(GBytes) read = NULL;
  Tree tree;

  tree_init (&tree, fx, GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE);
  write_all_at_once (&tree, 0, 50);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *text = nth_value (i);
      g_ptr_array_add (expected, g_strdup_printf ("N:%s", text));
    }
  assert_log (&tree, expected);
  g_assert_cmpmem (g_bytes_get_data (gp_attribute_get_value (GP_ATTRIBUTE (tree.chrc)), NULL),
                   g_bytes_get_size (gp_attribute_get_value (GP_ATTRIBUTE (tree.chrc))),
                   last, strlen (last));
  g_assert_cmpuint (fake_read (fx, tree.handle, 0, 0, &read), ==, 0);
  g_assert_cmpmem (g_bytes_get_data (read, NULL), g_bytes_get_size (read), last, strlen (last));
  tree_clear (&tree);
}

typedef struct
{
  Tree    *tree;
  guint    first;
  guint    last;
  GError  *error;
  guint8   att[8];
} ThreadWrites;

/* The central's writes from another thread, while the main thread does
 * not run its loop. */
static gpointer
write_in_thread (gpointer data)
{
  ThreadWrites *t = data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  for (guint i = t->first; i < t->last && t->error == NULL; i++)
    {
      g_autofree char *text = nth_value (i);
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (t->tree->fx->conn, "org.bluez", CONTROL_PATH, CONTROL_IFACE, "Write",
                                     write_parameters (t->tree, text), G_VARIANT_TYPE ("(y)"),
                                     G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &t->error);

      if (reply != NULL)
        g_variant_get (reply, "(y)", &t->att[i - t->first]);
    }
  g_main_context_pop_thread_default (context);
  return NULL;
}

static gboolean
log_write_request (GpAttribute *attr,
                   GpRequest   *request,
                   gpointer     data)
{
  Tree *tree = data;
  g_autofree char *text = value_text (gp_request_get_value (request));

  g_assert_true (g_thread_self () == tree->main_thread);
  g_ptr_array_add (tree->log, g_strdup_printf ("H:%s", text));
  return FALSE;   /* the default stores it */
}

typedef struct
{
  FakeFixture *fx;
  guint64      count;
  GError      *error;
} ThreadStat;

/* Waits, off the main thread, until the fake sent @count WriteValue calls:
 * the application then has them (one sender, in order) and GDBus has
 * queued those it dispatches to the main context. */
static gpointer
wait_writes_sent (gpointer data)
{
  ThreadStat *t = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  guint64 sent = 0;

  g_main_context_push_thread_default (context);
  while (sent < t->count && t->error == NULL)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (t->fx->conn, "org.bluez", CONTROL_PATH, CONTROL_IFACE, "GetStats",
                                     NULL, G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                     NULL, &t->error);

      if (reply != NULL)
        {
          g_autoptr(GVariant) stats = g_variant_get_child_value (reply, 0);
          g_variant_lookup (stats, "WriteValue", "t", &sent);
        }
    }
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* Writes answered on the I/O thread while the main loop does not run;
 * then a handler is connected, and the next writes take the main loop,
 * the first of them queued for dispatch before the main context ran at
 * all: the main context first catches up with the earlier writes
 * (notified in order), then the handler sees the later ones, in order,
 * each before its own notification. */
static void
test_handler_connected_later (FakeFixture   *fx,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *last = nth_value (13);
  g_autofree char *seventh = nth_value (6);
  g_autoptr(GVariant) reset = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GError) error = NULL;
  ThreadWrites t = { 0 };
  ThreadStat st = { fx, 7, NULL };
  GThread *thread;
  guint8 att;
  Tree tree;

  tree_init (&tree, fx, GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE);
  reset = fake_call (fx, "ResetStats", NULL, NULL, &error);
  g_assert_no_error (error);
  t.tree = &tree;
  t.first = 0;
  t.last = 6;
  thread = g_thread_new ("central", write_in_thread, &t);
  g_thread_join (thread);
  g_assert_no_error (t.error);
  for (guint i = 0; i < t.last; i++)
    g_assert_cmpuint (t.att[i], ==, 0);
  /* Answered, and not seen yet by the main context, which did not run. */
  g_assert_cmpuint (tree.log->len, ==, 0);

  g_signal_connect (tree.chrc, "write-request", G_CALLBACK (log_write_request), &tree);
  g_dbus_connection_call (fx->conn, "org.bluez", CONTROL_PATH, CONTROL_IFACE, "Write",
                          write_parameters (&tree, seventh), G_VARIANT_TYPE ("(y)"),
                          G_DBUS_CALL_FLAGS_NONE, 30000, NULL, store_result, first);
  thread = g_thread_new ("stats", wait_writes_sent, &st);
  g_thread_join (thread);
  g_assert_no_error (st.error);

  write_all_at_once (&tree, 7, 14);
  while (first->len == 0)
    g_main_context_iteration (NULL, TRUE);
  reply = g_dbus_connection_call_finish (fx->conn, first->pdata[0], &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(y)", &att);
  g_assert_cmpuint (att, ==, 0);

  for (guint i = 0; i < 14; i++)
    {
      g_autofree char *text = nth_value (i);

      if (i >= 6)
        g_ptr_array_add (expected, g_strdup_printf ("H:%s", text));
      g_ptr_array_add (expected, g_strdup_printf ("N:%s", text));
    }
  assert_log (&tree, expected);
  g_assert_cmpuint (fake_read (fx, tree.handle, 0, 0, &read), ==, 0);
  g_assert_cmpmem (g_bytes_get_data (read, NULL), g_bytes_get_size (read), last, strlen (last));
  tree_clear (&tree);
}

/* A value the application sets between writes answered on the I/O thread
 * and the main context catching up comes after them: it is the value, for
 * the main context and for reads. */
static void
test_set_value_after_thread_writes (FakeFixture   *fx,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) mine = bytes_from_string ("mine");
  g_autoptr(GBytes) read = NULL;
  ThreadWrites t = { 0 };
  GThread *thread;
  Tree tree;

  tree_init (&tree, fx, GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE);
  t.tree = &tree;
  t.last = 3;
  thread = g_thread_new ("central", write_in_thread, &t);
  g_thread_join (thread);
  g_assert_no_error (t.error);

  g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (tree.chrc), mine, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tree.log->len, ==, 4);
  g_assert_cmpstr (tree.log->pdata[0], ==, "N:value 00");
  g_assert_cmpstr (tree.log->pdata[2], ==, "N:value 02");
  g_assert_cmpstr (tree.log->pdata[3], ==, "N:mine");
  g_assert_true (g_bytes_equal (gp_attribute_get_value (GP_ATTRIBUTE (tree.chrc)), mine));
  g_assert_cmpuint (fake_read (fx, tree.handle, 0, 0, &read), ==, 0);
  g_assert_true (g_bytes_equal (read, mine));
  /* Nothing left to catch up with. */
  g_assert_cmpuint (tree.log->len, ==, 4);
  tree_clear (&tree);
}

/* ---------------------------------------------------------------- */
/* An application on a main context of its own                        */

static gboolean
logged_50 (gpointer data)
{
  return ((Tree *) data)->log->len >= 50;
}

static gpointer
write_on_own_context (gpointer data)
{
  FakeFixture *fx = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  Tree tree;

  g_main_context_push_thread_default (context);
  tree_init (&tree, fx, GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_WRITE);
  write_all_at_once (&tree, 0, 50);
  spin_until (logged_50, &tree, 5000);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *text = nth_value (i);
      g_ptr_array_add (expected, g_strdup_printf ("N:%s", text));
    }
  assert_log (&tree, expected);
  tree_clear (&tree);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* Writes stored on GDBus's I/O thread for an application whose
 * thread-default main context is its own: the main context catches up
 * there (notify::value once per write, in order, in the application's
 * thread). The global default context is never iterated meanwhile: a
 * catch-up attached there would never run, and the test would time out. */
static void
test_own_context (FakeFixture   *fx,
                  gconstpointer  data)
{
  g_thread_join (g_thread_new ("application", write_on_own_context, fx));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, FakeFixture, NULL, fake_fixture_setup, func, fake_fixture_teardown)
  ADD ("/write-path/write-after-write", test_write_after_write);
  ADD ("/write-path/handler-connected-later", test_handler_connected_later);
  ADD ("/write-path/set-value-after-thread-writes", test_set_value_after_thread_writes);
  ADD ("/write-path/own-context", test_own_context);
#undef ADD

  return g_test_run ();
}
