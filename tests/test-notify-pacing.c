/* test-notify-pacing.c: how many notifications the pacer lets out before
 * bluetoothd confirmed them, on the signal path and on an AcquireNotify
 * socket, against the fake BlueZ.
 *
 * The fake is stopped (SIGSTOP) once the central subscribed, so that no
 * round trip (Peer.Ping) comes back: what the application sent then is
 * exactly what the window lets out unconfirmed. It is measured as the
 * values queued minus the characteristic's backlog, which the library
 * updates synchronously; nothing here depends on timing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"

#include <signal.h>

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

static gboolean
all_done (gpointer data)
{
  Count *c = data;

  return c->ok + c->failed == N_VALUES;
}

/* Sends N_VALUES while bluetoothd answers no round trip; returns how many
 * left the application unconfirmed. Then lets the fake go, and checks that
 * every value arrived, in order. */
static guint
unconfirmed_while_stopped (FakeFixture *fx,
                           gboolean     acquire_notify)
{
  g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->conn, "/test/pacing");
  g_autoptr(GpService) svc = gp_service_new ("180d", TRUE, NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GpCharacteristic *chrc;
  guint16 handle;
  Count count = { 0 };
  guint unconfirmed;

  chrc = add_chrc (svc, "2a37", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY);
  gp_characteristic_set_acquire_notify (chrc, acquire_notify);
  g_assert_true (gp_application_add_service (app, svc, NULL));
  gp_application_set_notification_window (app, WINDOW);
  fake_register (fx, app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (chrc));
  g_assert_cmphex (fake_subscribe (fx, chrc, 0x0001), ==, 0);
  spin_until (is_notifying, chrc, 5000);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, acquire_notify ? 1 : 0);

  g_subprocess_send_signal (fx->fake, SIGSTOP);
  for (guint i = 0; i < N_VALUES; i++)
    {
      guint8 byte = (guint8) i;
      g_autoptr(GBytes) value = g_bytes_new (&byte, 1);

      gp_characteristic_send_value_async (chrc, value, NULL, send_done, &count);
    }
  unconfirmed = N_VALUES - gp_characteristic_get_backlog (chrc);
  /* Nothing is confirmed without a round trip. */
  g_assert_cmpuint (count.ok + count.failed, ==, 0);
  g_subprocess_send_signal (fx->fake, SIGCONT);

  spin_until (all_done, &count, 10000);
  g_assert_cmpuint (count.ok, ==, N_VALUES);
  while (values->len < N_VALUES)
    {
      fake_collect_notifications (fx, handle, values);
      if (values->len < N_VALUES)
        spin_for (10);
    }
  g_assert_cmpuint (values->len, ==, N_VALUES);
  for (guint i = 0; i < N_VALUES; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (g_ptr_array_index (values, i), NULL))[0], ==, i);

  fake_unregister (fx, app);
  return unconfirmed;
}

/* Signals: the window, exactly (a half window, a ping, the other half). */
static void
test_window_signals (FakeFixture   *fx,
                     gconstpointer  data)
{
  g_assert_cmpuint (unconfirmed_while_stopped (fx, FALSE), ==, WINDOW);
}

/* A socket: four times the window (a datagram is a quarter of a slot,
 * FD_SHARE in gp-notify-pacer.c), since a round trip to bluetoothd is
 * what bounds that path's rate; and still bounded, since a socket that
 * never empties stops bluetoothd's D-Bus dispatch. */
static void
test_window_socket (FakeFixture   *fx,
                    gconstpointer  data)
{
  g_assert_cmpuint (unconfirmed_while_stopped (fx, TRUE), ==, 4 * WINDOW);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, FakeFixture, NULL, fake_fixture_setup, fn, fake_fixture_teardown)
  ADD ("/notify-pacing/window/signals", test_window_signals);
  ADD ("/notify-pacing/window/socket", test_window_socket);
#undef ADD

  return g_test_run ();
}
