/* test-notify-pacing.c: how many notifications the pacer lets out before
 * bluetoothd confirmed them, on the signal path and on an AcquireNotify
 * socket, against the fake BlueZ.
 *
 * The fake is stopped (fake_stop(): SIGSTOP, then until /proc shows it
 * stopped) so that no round trip (Peer.Ping) comes back: what the
 * application sent then is exactly what the window lets out unconfirmed.
 * It is measured as the values queued minus the characteristic's backlog,
 * which the library updates synchronously. The only time that matters is
 * a lower bound: a stall of 1.2 s is a round trip of at least 1.2 s.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-application-private.h"

#include <signal.h>
#include <string.h>

#define WINDOW   8
#define N_VALUES 100

typedef struct
{
  guint ok;
  guint failed;
} Count;

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Count *c = user_data;
  g_autoptr(GError) error = NULL;

  if (gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &error))
    c->ok++;
  else
    c->failed++;
}

typedef struct
{
  Count *count;
  guint  n;
} AllDone;

static gboolean
all_done_of (gpointer data)
{
  AllDone *d = data;

  return d->count->ok + d->count->failed == d->n;
}

/* The window in use (in quarters of a signal, a datagram is one): it
 * starts at a quarter of the window and follows bluetoothd's round trips
 * (gp-notify-pacer.c). */
static guint
limit_of (GpApplication *app)
{
  return gp_notify_pacer_get_limit (gp_application_get_notify_pacer (app));
}

static gboolean
limit_is_full (gpointer app)
{
  return limit_of (app) == 4 * WINDOW;
}

/* Fast round trips while values wait for room open the window in use up
 * to the window: sends bursts on @warm (subscribed, signals) until it is
 * there. */
static void
warm_up (FakeFixture      *fx,
         GpApplication    *app,
         GpCharacteristic *warm)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (!limit_is_full (app))
    {
      Count count = { 0 };
      AllDone done = { &count, N_VALUES };

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      for (guint i = 0; i < N_VALUES; i++)
        {
          guint8 byte = (guint8) i;
          g_autoptr(GBytes) value = g_bytes_new (&byte, 1);

          gp_characteristic_send_value_async (warm, value, NULL, send_done, &count);
        }
      spin_until (all_done_of, &done, 10000);
      g_assert_cmpuint (count.ok, ==, N_VALUES);
    }
}

typedef struct
{
  GpApplication    *app;
  GpCharacteristic *chrc;       /* measured */
  GpCharacteristic *warm;       /* for warm_up(), signals */
  guint16           handle;     /* of chrc */
  guint             sent;       /* values sent on chrc */
} Pacing;

static void
pacing_setup (FakeFixture *fx,
              Pacing      *pc,
              gboolean     acquire_notify)
{
  g_autoptr(GpService) svc = gp_service_new ("180d", TRUE, NULL);

  pc->app = gp_application_new_for_connection (fx->conn, "/test/pacing");
  pc->chrc = add_chrc (svc, "2a37", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY);
  pc->warm = add_chrc (svc, "2a38", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY);
  gp_characteristic_set_acquire_notify (pc->chrc, acquire_notify);
  gp_characteristic_set_acquire_notify (pc->warm, FALSE);
  g_assert_true (gp_application_add_service (pc->app, svc, NULL));
  gp_application_set_notification_window (pc->app, WINDOW);
  fake_register (fx, pc->app);
  pc->handle = fake_handle_of (fx, GP_ATTRIBUTE (pc->chrc));
  g_assert_cmphex (fake_subscribe (fx, pc->chrc, 0x0001), ==, 0);
  g_assert_cmphex (fake_subscribe (fx, pc->warm, 0x0001), ==, 0);
  spin_until (is_notifying, pc->chrc, 5000);
  spin_until (is_notifying, pc->warm, 5000);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, acquire_notify ? 1 : 0);
  g_assert_cmpuint (limit_of (pc->app), ==, WINDOW);   /* a quarter */
}

/* Every value sent on the measured characteristic arrived, in order. */
static void
pacing_teardown (FakeFixture *fx,
                 Pacing      *pc)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  while (values->len < pc->sent)
    {
      fake_collect_notifications (fx, pc->handle, values);
      if (values->len < pc->sent)
        spin_for (10);
    }
  g_assert_cmpuint (values->len, ==, pc->sent);
  for (guint i = 0; i < pc->sent; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (g_ptr_array_index (values, i), NULL))[0], ==, (guint8) i);
  fake_unregister (fx, pc->app);
  g_clear_object (&pc->app);
}

/* Sends @n values while bluetoothd answers no round trip (and for
 * @stall_ms longer); returns how many left the application unconfirmed.
 * Then lets the fake go and waits for every value to complete. */
static guint
unconfirmed_while_stopped (FakeFixture *fx,
                           Pacing      *pc,
                           guint        n,
                           guint        stall_ms)
{
  Count count = { 0 };
  AllDone done = { &count, n };
  guint unconfirmed;

  fake_stop (fx);
  for (guint i = 0; i < n; i++)
    {
      guint8 byte = (guint8) pc->sent++;
      g_autoptr(GBytes) value = g_bytes_new (&byte, 1);

      gp_characteristic_send_value_async (pc->chrc, value, NULL, send_done, &count);
    }
  unconfirmed = n - gp_characteristic_get_backlog (pc->chrc);
  /* Nothing is confirmed without a round trip. */
  g_assert_cmpuint (count.ok + count.failed, ==, 0);
  if (stall_ms > 0)
    spin_for (stall_ms);
  fake_cont (fx);

  spin_until (all_done_of, &done, 10000);
  g_assert_cmpuint (count.ok, ==, n);
  return unconfirmed;
}

#define SOCKET 1   /* test data: AcquireNotify */
#define WARM   2   /* test data: warm_up() first */

/* Once fast round trips opened it: on signals, the window, exactly (a
 * half window, a ping, the other half); on a socket, four times the
 * window (a datagram is a quarter of a slot, FD_SHARE in
 * gp-notify-pacer.c), since a round trip to bluetoothd is what bounds
 * that path's rate; and still bounded, since a socket that never empties
 * stops bluetoothd's D-Bus dispatch. Before any round trip came back, a
 * quarter of that goes out: a bluetoothd that turns out slow does not get
 * a full window at once. */
static void
test_window (FakeFixture   *fx,
             gconstpointer  data)
{
  Pacing pc = { 0 };
  guint flags = GPOINTER_TO_UINT (data);
  guint full = (flags & SOCKET) ? 4 * WINDOW : WINDOW;

  pacing_setup (fx, &pc, (flags & SOCKET) != 0);
  if (flags & WARM)
    warm_up (fx, pc.app, pc.warm);
  g_assert_cmpuint (unconfirmed_while_stopped (fx, &pc, N_VALUES, 0), ==, (flags & WARM) ? full : full / 4);
  pacing_teardown (fx, &pc);
}

/* A round trip slower than a second halves the window in use, once for
 * the pings of that stall (not once per ping); fast round trips with
 * values waiting open it again. bluetoothd reads its sockets and signals
 * before it answers any D-Bus call (a WriteValue reply too, which it
 * fails after 5 s): a slow one must not get a full window. */
static void
test_window_slow_bluetoothd (FakeFixture   *fx,
                             gconstpointer  data)
{
  Pacing pc = { 0 };
  gboolean socket = (GPOINTER_TO_UINT (data) & SOCKET) != 0;
  guint per_value = socket ? 1 : 4;

  pacing_setup (fx, &pc, socket);
  warm_up (fx, pc.app, pc.warm);
  /* Exactly a window, so that nothing waits afterwards: two pings (the
   * first value's, and the half window's), both 1.2 s. */
  g_assert_cmpuint (unconfirmed_while_stopped (fx, &pc, 4 * WINDOW / per_value, 1200), ==, 4 * WINDOW / per_value);
  g_assert_cmpuint (limit_of (pc.app), ==, 2 * WINDOW);
  g_assert_cmpuint (unconfirmed_while_stopped (fx, &pc, N_VALUES, 0), ==, 2 * WINDOW / per_value);
  /* That burst's round trips were fast and values waited. */
  warm_up (fx, pc.app, pc.warm);
  g_assert_cmpuint (unconfirmed_while_stopped (fx, &pc, N_VALUES, 0), ==, 4 * WINDOW / per_value);
  pacing_teardown (fx, &pc);
}

/* The window in use starts at a quarter again when the application is
 * given a new window, and when bluetoothd restarts (a new unique name):
 * what was learnt of one bluetoothd says nothing of the next. */
static void
test_window_restarts (FakeFixture   *fx,
                      gconstpointer  data)
{
  Pacing pc = { 0 };
  g_autoptr(GVariant) device = NULL;

  pacing_setup (fx, &pc, FALSE);
  warm_up (fx, pc.app, pc.warm);

  /* A new window: a quarter of it, whatever the old one had opened to. */
  gp_application_set_notification_window (pc.app, 2 * WINDOW);
  g_assert_cmpuint (limit_of (pc.app), ==, 2 * WINDOW);
  gp_application_set_notification_window (pc.app, WINDOW);
  g_assert_cmpuint (limit_of (pc.app), ==, WINDOW);
  /* Setting the same window again changes nothing. */
  warm_up (fx, pc.app, pc.warm);
  gp_application_set_notification_window (pc.app, WINDOW);
  g_assert_cmpuint (limit_of (pc.app), ==, 4 * WINDOW);

  /* bluetoothd restarts: the application registers again with the new
   * one, which gets a quarter window until its round trips are known. */
  g_variant_unref (fake_control_call (fx, "Restart", NULL, NULL));
  spin_until (app_not_registered, pc.app, 5000);
  spin_until (app_is_registered, pc.app, 10000);
  g_assert_cmpuint (limit_of (pc.app), ==, WINDOW);

  /* A central of the new bluetoothd subscribes: a quarter goes out
   * before a round trip comes back, and every value arrives in order. */
  device = fake_control_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "11:22:33:44:55:77", "again"),
                              "(o)");
  g_free (fx->device);
  g_variant_get (device, "(o)", &fx->device);
  pc.handle = fake_handle_of (fx, GP_ATTRIBUTE (pc.chrc));
  g_assert_cmphex (fake_subscribe (fx, pc.chrc, 0x0001), ==, 0);
  spin_until (is_notifying, pc.chrc, 5000);
  g_assert_cmpuint (unconfirmed_while_stopped (fx, &pc, N_VALUES, 0), ==, WINDOW / 4);
  pacing_teardown (fx, &pc);
}

typedef struct
{
  GpCharacteristic *chrc;
  guint             backlog;      /* ::notify for backlog, heard */
  guint             value;        /* ::notify for value, heard */
  guint             max_backlog;
} Heard;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  Heard *h = data;

  if (strcmp (pspec->name, "backlog") == 0)
    {
      h->backlog++;
      h->max_backlog = MAX (h->max_backlog, gp_characteristic_get_backlog (GP_CHARACTERISTIC (object)));
    }
  else if (strcmp (pspec->name, "value") == 0)
    h->value++;
}

/* The library skips ::notify for backlog and value when no handler is
 * connected (GLib 2.74 emits it anyway, a cost per value sent): handlers
 * for the property, or for every property, still hear every change, and
 * nothing changes for the values. Once round trips opened the window in
 * use (warm_up()), the first WINDOW values go without a
 * queue entry (the window has room): the backlog peaks at N_VALUES -
 * WINDOW. Rounds: no handler, handlers with a detail, one without. */
static void
test_notify_heard (FakeFixture   *fx,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Pacing pc = { 0 };
  GpCharacteristic *chrc;
  guint16 handle;

  pacing_setup (fx, &pc, FALSE);
  chrc = pc.chrc;
  handle = pc.handle;

  for (guint round = 0; round < 3; round++)
    {
      Heard h = { chrc, 0, 0, 0 };
      Count count = { 0 };
      AllDone done = { &count, N_VALUES };
      gulong ids[2] = { 0, 0 };

      /* Each round starts with the whole window in use (a round trip
       * over a second on a loaded machine would have halved it). */
      warm_up (fx, pc.app, pc.warm);
      if (round == 1)
        {
          ids[0] = g_signal_connect (chrc, "notify::backlog", G_CALLBACK (on_notify), &h);
          ids[1] = g_signal_connect (chrc, "notify::value", G_CALLBACK (on_notify), &h);
        }
      else if (round == 2)
        ids[0] = g_signal_connect (chrc, "notify", G_CALLBACK (on_notify), &h);

      fake_stop (fx);
      for (guint i = 0; i < N_VALUES; i++)
        {
          guint8 byte = (guint8) (round * N_VALUES + i);
          g_autoptr(GBytes) value = g_bytes_new (&byte, 1);

          gp_characteristic_send_value_async (chrc, value, NULL, send_done, &count);
        }
      g_assert_cmpuint (gp_characteristic_get_backlog (chrc), ==, N_VALUES - WINDOW);
      fake_cont (fx);
      spin_until (all_done_of, &done, 10000);
      g_assert_cmpuint (count.ok, ==, N_VALUES);
      g_assert_cmpuint (gp_characteristic_get_backlog (chrc), ==, 0);

      if (round > 0)
        {
          g_test_message ("round %u: backlog %u value %u max %u", round, h.backlog, h.value, h.max_backlog);
          /* Up once per queued value, down once per value taken. */
          g_assert_cmpuint (h.backlog, ==, 2 * (N_VALUES - WINDOW));
          g_assert_cmpuint (h.max_backlog, ==, N_VALUES - WINDOW);
          g_assert_cmpuint (h.value, ==, N_VALUES);
        }
      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        if (ids[i] != 0)
          g_signal_handler_disconnect (chrc, ids[i]);

      while (values->len < (round + 1) * N_VALUES)
        {
          fake_collect_notifications (fx, handle, values);
          if (values->len < (round + 1) * N_VALUES)
            spin_for (10);
        }
    }

  g_assert_cmpuint (values->len, ==, 3 * N_VALUES);
  for (guint i = 0; i < values->len; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (g_ptr_array_index (values, i), NULL))[0], ==, (guint8) i);
  pacing_teardown (fx, &pc);   /* pc.sent is 0: the values were checked here */
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, FakeFixture, NULL, fake_fixture_setup, fn, fake_fixture_teardown)
#define ADD_DATA(name, data, fn) \
  g_test_add (name, FakeFixture, GUINT_TO_POINTER (data), fake_fixture_setup, fn, fake_fixture_teardown)
  ADD_DATA ("/notify-pacing/window/signals", WARM, test_window);
  ADD_DATA ("/notify-pacing/window/socket", SOCKET | WARM, test_window);
  ADD_DATA ("/notify-pacing/window/start/signals", 0, test_window);
  ADD_DATA ("/notify-pacing/window/start/socket", SOCKET, test_window);
  ADD_DATA ("/notify-pacing/window/slow-bluetoothd/signals", 0, test_window_slow_bluetoothd);
  ADD_DATA ("/notify-pacing/window/slow-bluetoothd/socket", SOCKET, test_window_slow_bluetoothd);
  ADD_DATA ("/notify-pacing/window/restarts", 0, test_window_restarts);
#undef ADD_DATA
  ADD ("/notify-pacing/notify-heard", test_notify_heard);
#undef ADD

  return g_test_run ();
}
