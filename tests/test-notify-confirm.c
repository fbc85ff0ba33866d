/* test-notify-confirm.c: indication confirmations on an AcquireNotify
 * socket (BlueZ 5.80 and later) while the application is slow to read them.
 *
 * bluetoothd writes one byte into the socket for each indication its
 * central confirmed, from a write handler that waits for room; a
 * confirmation that comes while it waits is merged into that byte
 * (docs/bluez-quirks.md). So an application that reads late gets fewer
 * bytes than confirmations: what it owes bluetoothd is to read, so that
 * the handler's last byte finds room and nothing waits for ever. (The
 * 5.82 indication test expected one byte per confirmation, which only
 * holds while the application keeps up: it hung when the library was
 * slowed down, e.g. under ASan with fast_unwind_on_malloc=0.)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"

/* More than the ~70 one-byte datagrams after which a Unix socket stops
 * being writable (a quarter of the default send buffer), fewer than the
 * ~270 notifications its buffer holds. */
#define INDICATIONS 150
#define WAIT_MS     30000

static void
setup_582 (FakeFixture   *fx,
           gconstpointer  data)
{
  const char *args[] = { "--bluez", "5.82", NULL };

  fake_fixture_setup_with_args (fx, args);
}

static void
fake_void (FakeFixture *fx,
           const char  *method,
           GVariant    *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, method, parameters, NULL, &error);

  g_assert_no_error (error);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *sent = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &error));
  g_assert_no_error (error);
  (*sent)++;
}

static gboolean
all_sent (gpointer data)
{
  return *(guint *) data == INDICATIONS;
}

typedef struct
{
  FakeFixture *fx;
} Fx;

/* A fake BlueZ statistic, with a blocking call: the thread's main
 * context does not run meanwhile (fake_stat() runs it). */
static guint64
stat_blocking (FakeFixture *fx,
               const char  *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) stats = NULL;
  guint64 value = 0;

  reply = g_dbus_connection_call_sync (fx->conn, "org.bluez", "/org/gattperiph/FakeBlueZ",
                                       "org.gattperiph.FakeBlueZ1", "GetStats", NULL,
                                       G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
                                       WAIT_MS, NULL, &error);
  g_assert_no_error (error);
  stats = g_variant_get_child_value (reply, 0);
  g_variant_lookup (stats, name, "t", &value);
  return value;
}

static gboolean
confirmations_written (gpointer data)
{
  Fx *f = data;

  return fake_stat (f->fx, "NotifyFdConfirmWritten") + fake_stat (f->fx, "NotifyFdConfirmMerged") >=
         INDICATIONS;
}

/* The central confirms every indication while the library's main loop
 * does not run (the bytes pile up unread, bluetoothd's handler waits and
 * merges); once the loop runs, the library reads them and the handler's
 * last byte goes out. */
static void
test_confirmations_while_busy (FakeFixture   *fx,
                               gconstpointer  data)
{
  g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->conn, "/test/confirm");
  g_autoptr(GpService) svc = gp_service_new ("180d", TRUE, NULL);
  GpCharacteristic *chrc = add_chrc (svc, "2a38", GP_CHARACTERISTIC_FLAGS_READ |
                                                  GP_CHARACTERISTIC_FLAGS_NOTIFY |
                                                  GP_CHARACTERISTIC_FLAGS_INDICATE);
  guint8 ccc[2] = { 0x02, 0x00 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 deadline;
  Fx f = { fx };
  guint sent = 0;
  guint8 att;

  gp_characteristic_set_acquire_notify (chrc, TRUE);
  g_assert_true (gp_application_add_service (app, svc, &error));
  fake_register (fx, app);
  reply = fake_call (fx, "Write",
                     g_variant_new ("(oqq@ays)", fx->device, fake_ccc_handle_of (fx, chrc), 0,
                                    g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, ccc, 2, 1),
                                    "request"),
                     "(y)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(y)", &att);
  g_assert_cmphex (att, ==, 0);
  spin_until (is_notifying, chrc, WAIT_MS);

  /* Every indication into bluetoothd's end of the socket, unread. */
  fake_void (fx, "SetNotifyReading", g_variant_new ("(b)", FALSE));
  for (guint i = 0; i < INDICATIONS; i++)
    {
      guint8 v[2] = { i & 0xff, i >> 8 };
      g_autoptr(GBytes) value = g_bytes_new (v, sizeof v);

      gp_characteristic_send_value_async (chrc, value, NULL, on_sent, &sent);
    }
  spin_until (all_sent, &sent, WAIT_MS);

  /* bluetoothd reads them and its central confirms each, while this
   * thread only makes blocking calls: the library reads nothing. */
  fake_void (fx, "SetNotifyReading", g_variant_new ("(b)", TRUE));
  deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (stat_blocking (fx, "NotifyFdConfirm") < INDICATIONS)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
  g_assert_cmpuint (stat_blocking (fx, "NotifyFdConfirmMerged"), >, 0);
  g_assert_cmpuint (stat_blocking (fx, "NotifyFdConfirmWritten"), <, INDICATIONS);

  /* Now the library reads: the handler's last byte finds room. */
  spin_until (confirmations_written, &f, WAIT_MS);
  g_assert_true (gp_characteristic_get_notifying (chrc));
  g_assert_cmpuint (fake_stat (fx, "Confirm"), ==, 0);
}

typedef struct
{
  gboolean asked;
  gboolean ready;
} Stale;

static gboolean
set_ready (gpointer data)
{
  ((Stale *) data)->ready = TRUE;
  return G_SOURCE_REMOVE;
}

/* Like fake_stat() when the fake's state changed just before it answered:
 * runs the context until its answer comes, consuming the event that told
 * of the change (here an idle), and answers with the state from before. */
static gboolean
stale_condition (gpointer data)
{
  Stale *s = data;
  gboolean before = s->ready;

  if (!s->asked)
    {
      GSource *event = g_idle_source_new ();

      s->asked = TRUE;
      g_source_set_callback (event, set_ready, s, NULL);
      g_source_attach (event, g_main_context_get_thread_default ());
      g_source_unref (event);
      while (!s->ready)
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
    }
  return before;
}

/* The harness's side of the stall: spin_until() looked at its condition
 * only when an event woke the loop, so a condition that consumed that
 * event itself waited for the timeout (the 5.82 confirmation tests
 * waited there for ~30 s, now and then). It looks again by itself now:
 * this returns at once instead of hanging until meson's timeout. */
static void
test_spin_until_looks_again (void)
{
  Stale s = { FALSE, FALSE };

  spin_until (stale_condition, &s, 3600 * 1000);
  g_assert_true (s.ready);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/notify-confirm/harness/spin-until-looks-again", test_spin_until_looks_again);

  g_test_add ("/notify-confirm/5.82/confirmations-while-busy", FakeFixture, NULL, setup_582,
              test_confirmations_while_busy, fake_fixture_teardown);
  return g_test_run ();
}
