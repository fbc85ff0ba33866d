/* gp-notify-pacer.c: paces the notifications of a GpApplication
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-notify-pacer-private.h"
#include "gp-attribute-private.h"
#include "gp-characteristic-private.h"
#include "gp-dbus-util-private.h"

/* BlueZ has no flow control for notifications: neither the D-Bus daemon
 * nor bluetoothd bounds what it queues. The pacer keeps at most `limit`
 * (the window in use, at most `window`; see SLOW_ROUND_TRIP_US)
 * notifications in flight: sent, but not yet known to be read by
 * bluetoothd. After every half of that, and after the last notification
 * when no round trip is under way, it makes a round trip to bluetoothd
 * (Peer.Ping): D-Bus keeps the order between two peers, so its reply means
 * bluetoothd read everything sent before it. Characteristics with values
 * waiting take turns, one value each (docs/notifications.md).
 *
 * A datagram on an AcquireNotify socket takes 1/FD_SHARE of a slot: the
 * window is counted in FD_SHARE-ths. On that path nothing waits in the
 * D-Bus daemon, bluetoothd reads a datagram for much less than a signal,
 * and it answers a ping only once it is idle (it dispatches D-Bus from an
 * idle source, below its socket watches), that is after it read the
 * socket dry: a round trip takes ~40-50 ms in the sandbox, and what one
 * round trip releases bounds the rate (16 datagrams per ping gave 0.8x a
 * raw floor; 64 gave 1.35x). The window stays bounded nonetheless: a
 * writer that keeps the socket full stops bluetoothd's D-Bus dispatch for
 * good (no central can even unsubscribe). A full socket (EAGAIN) makes the
 * value wait for G_IO_OUT in its characteristic. */
/* 4: a round trip releases 128 datagrams with the default window of 64
 * (with a window of 32, 16 per round trip with FD_SHARE 1 gave 0.81x the
 * fd floor in the sandbox; 64 gave 1.35x, and 1.51x (5.66) / 2.46x (5.82)
 * in bench Part 4 on a loaded host). The 5.82 indication test
 * that stalled with 4 under ASan was no lost wakeup: bluetoothd merges
 * the confirmation bytes that come while its write waits for room, and
 * the test expected one byte each (tests/test-notify-confirm.c). */
#define FD_SHARE 4

/* How long bluetoothd may take to come back from a round trip. A window
 * that is right for a fast bluetoothd keeps a slow one (a small board, a
 * loaded host) from dispatching D-Bus for seconds: it reads its sockets
 * and signals before it answers anything, and every call to it waits,
 * a WriteValue reply included, which bluetoothd itself fails after 5 s
 * (ATT error 0x0E at the central: seen in the sandbox on a loaded host
 * with 256 datagrams in flight). So the window in use (`limit`) starts at
 * a quarter of the window, doubles after a round trip that came back
 * within FAST_ROUND_TRIP_US while values waited for room, and halves
 * after one slower than SLOW_ROUND_TRIP_US (once per round trip: the
 * pings sent before a cut do not cut again). */
#define FAST_ROUND_TRIP_US (250 * G_TIME_SPAN_MILLISECOND)
#define SLOW_ROUND_TRIP_US (1000 * G_TIME_SPAN_MILLISECOND)

struct _GpNotifyPacer
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *bluez_owner;       /* bluetoothd's unique name */
  GQueue           ready;             /* GpCharacteristic with values to send */
  GHashTable      *ready_set;
  GPtrArray       *unacked_tasks;     /* send_value tasks since the last ping */
  guint            window;
  /* In FD_SHARE-ths of a notification on the signal path: */
  guint            limit;             /* the window in use, <= window */
  guint            in_flight;         /* not yet confirmed by a ping */
  guint            unacked;           /* sent since the last ping */
  guint            pings_outstanding;
  gboolean         waited;            /* a value waited for room since the last ping */
  gint64           cut_at;            /* when limit was last halved */
};

G_DEFINE_FINAL_TYPE (GpNotifyPacer, gp_notify_pacer, G_TYPE_OBJECT)

typedef struct
{
  GpNotifyPacer *pacer;
  GPtrArray     *tasks;
  guint          count;
  gboolean       waited;
  gint64         sent_at;
} Ping;

static void flush (GpNotifyPacer *self);

static void
gp_notify_pacer_finalize (GObject *object)
{
  GpNotifyPacer *self = GP_NOTIFY_PACER (object);

  g_queue_clear_full (&self->ready, g_object_unref);
  g_clear_pointer (&self->ready_set, g_hash_table_unref);
  g_clear_pointer (&self->unacked_tasks, g_ptr_array_unref);
  g_clear_pointer (&self->bluez_owner, g_free);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (gp_notify_pacer_parent_class)->finalize (object);
}

static void
gp_notify_pacer_class_init (GpNotifyPacerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gp_notify_pacer_finalize;
}

static void
gp_notify_pacer_init (GpNotifyPacer *self)
{
  g_queue_init (&self->ready);
  self->ready_set = g_hash_table_new (NULL, NULL);
  self->unacked_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

static guint
window_units (GpNotifyPacer *self)
{
  return self->window * FD_SHARE;
}

/* A new window, or a new bluetoothd: start small again. */
static void
restart_limit (GpNotifyPacer *self)
{
  self->limit = MAX (window_units (self) / 4, FD_SHARE);
}

GpNotifyPacer *
gp_notify_pacer_new (guint window)
{
  GpNotifyPacer *self = g_object_new (GP_TYPE_NOTIFY_PACER, NULL);

  self->window = MAX (window, 1);
  restart_limit (self);
  return self;
}

/* On a message bus, notifications go to bluetoothd's unique name only: a
 * signal without a destination is broadcast to every peer with a match
 * rule, and the values of encrypted characteristics with it. */
static gboolean
can_send (GpNotifyPacer *self)
{
  return self->connection != NULL &&
         (self->bluez_owner != NULL || g_dbus_connection_get_unique_name (self->connection) == NULL);
}

void
gp_notify_pacer_set_target (GpNotifyPacer   *self,
                            GDBusConnection *connection,
                            const char      *bluez_owner)
{
  g_set_object (&self->connection, connection);
  if (g_strcmp0 (self->bluez_owner, bluez_owner) != 0)
    restart_limit (self);
  g_free (self->bluez_owner);
  self->bluez_owner = g_strdup (bluez_owner);
  flush (self);
}

guint
gp_notify_pacer_get_window (GpNotifyPacer *self)
{
  return self->window;
}

void
gp_notify_pacer_set_window (GpNotifyPacer *self,
                            guint          window)
{
  self->window = MAX (window, 1);
  restart_limit (self);
  flush (self);
}

guint
gp_notify_pacer_get_limit (GpNotifyPacer *self)
{
  return self->limit;
}

/* Follows bluetoothd's pace: see SLOW_ROUND_TRIP_US. */
static void
adapt_limit (GpNotifyPacer *self,
             Ping          *ping,
             gboolean       failed)
{
  gint64 now = g_get_monotonic_time ();
  gint64 round_trip = now - ping->sent_at;
  guint old = self->limit;

  if (failed)
    return;
  if (round_trip > SLOW_ROUND_TRIP_US && ping->sent_at >= self->cut_at)
    {
      self->limit = MAX (self->limit / 2, FD_SHARE);
      self->cut_at = now;
    }
  else if (round_trip < FAST_ROUND_TRIP_US && ping->waited)
    self->limit = MIN (self->limit * 2, window_units (self));

  if (self->limit != old)
    g_debug ("Notification window in use: %u -> %u (of %u) after a %" G_GINT64_FORMAT " ms round trip",
             old / FD_SHARE, self->limit / FD_SHARE, self->window, round_trip / G_TIME_SPAN_MILLISECOND);
}

static void
ping_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Ping *ping = user_data;
  GpNotifyPacer *self = ping->pacer;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) call_error = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &call_error);
  if (reply == NULL)
    error = g_error_new (GP_ERROR, GP_ERROR_NOT_READY,
                         "BlueZ did not take the notification: %s", call_error->message);

  self->in_flight -= MIN (self->in_flight, ping->count);
  self->pings_outstanding--;
  adapt_limit (self, ping, reply == NULL);
  for (guint i = 0; i < ping->tasks->len; i++)
    gp_characteristic_complete_send (g_ptr_array_index (ping->tasks, i), error);

  flush (self);

  g_ptr_array_unref (ping->tasks);
  g_object_unref (ping->pacer);
  g_free (ping);
}

/* A round trip to bluetoothd: when it returns, bluetoothd has read every
 * signal sent before it (D-Bus keeps the order between two peers), and,
 * as it dispatches D-Bus only when idle, every datagram written to its
 * sockets before it. */
static void
send_ping (GpNotifyPacer *self)
{
  Ping *ping = g_new0 (Ping, 1);

  ping->pacer = g_object_ref (self);
  ping->count = self->unacked;
  ping->waited = self->waited;
  ping->sent_at = g_get_monotonic_time ();
  ping->tasks = g_steal_pointer (&self->unacked_tasks);
  self->unacked_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->unacked = 0;
  self->waited = FALSE;
  self->pings_outstanding++;

  g_dbus_connection_call (self->connection, self->bluez_owner, "/",
                          "org.freedesktop.DBus.Peer", "Ping",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                          ping_done, ping);
}

/* A notification entered the window (@task, nullable, transfer full): a
 * signal (@cost FD_SHARE), or a datagram on a socket (1). */
static void
account (GpNotifyPacer *self,
         GTask         *task,
         guint          cost)
{
  self->in_flight += cost;
  self->unacked += cost;
  if (task != NULL)
    g_ptr_array_add (self->unacked_tasks, task);
  if (self->unacked >= MAX (self->limit / 2, FD_SHARE))
    send_ping (self);
}

void
gp_notify_pacer_emit_value (GpNotifyPacer *self,
                            const char    *object_path,
                            GBytes        *value)
{
  GVariant *entry, *body[3];

  /* One notification is one signal, emitted even when the value repeats
   * (generated skeletons would coalesce and drop those). Built child by
   * child: format strings cost more than the rest of the body. */
  entry = g_variant_new_dict_entry (g_variant_new_string ("Value"),
                                    g_variant_new_variant (gp_bytes_to_variant (value)));
  body[0] = g_variant_new_string ("org.bluez.GattCharacteristic1");
  body[1] = g_variant_new_array (G_VARIANT_TYPE ("{sv}"), &entry, 1);
  body[2] = g_variant_new_array (G_VARIANT_TYPE_STRING, NULL, 0);
  g_dbus_connection_emit_signal (self->connection, self->bluez_owner, object_path,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new_tuple (body, G_N_ELEMENTS (body)), NULL);
}

static void
enqueue (GpNotifyPacer    *self,
         GpCharacteristic *characteristic)
{
  if (g_hash_table_contains (self->ready_set, characteristic))
    return;
  g_hash_table_add (self->ready_set, characteristic);
  g_queue_push_tail (&self->ready, g_object_ref (characteristic));
}

/* Sends @value of @chrc now (@task nullable, transfer full): a datagram on
 * each of its sockets, or a signal. */
static void
send_value (GpNotifyPacer    *self,
            GpCharacteristic *chrc,
            GBytes           *value,
            GTask            *task)
{
  switch (gp_characteristic_write_notify_sockets (chrc, value, task))
    {
    case GP_NOTIFY_WRITE_NO_SOCKET:
      gp_notify_pacer_emit_value (self, gp_attribute_get_object_path (GP_ATTRIBUTE (chrc)), value);
      account (self, task, FD_SHARE);
      break;
    case GP_NOTIFY_WRITE_DONE:
      account (self, task, 1);
      break;
    case GP_NOTIFY_WRITE_LATER:
    case GP_NOTIFY_WRITE_DROPPED:
      /* The characteristic kept, or completed, the task. */
      g_clear_object (&task);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
ping_if_idle (GpNotifyPacer *self)
{
  if (self->unacked > 0 && self->pings_outstanding == 0)
    send_ping (self);
}

static void
flush (GpNotifyPacer *self)
{
  GpCharacteristic *chrc;

  if (!can_send (self))
    return;

  while (self->in_flight < self->limit && (chrc = g_queue_pop_head (&self->ready)) != NULL)
    {
      g_autoptr(GBytes) value = NULL;
      GTask *task = NULL;

      g_hash_table_remove (self->ready_set, chrc);
      if (gp_characteristic_take_notification (chrc, &value, &task))
        {
          send_value (self, chrc, value, task);
          /* Round robin between characteristics. */
          if (gp_characteristic_has_notification (chrc))
            enqueue (self, chrc);
        }
      g_object_unref (chrc);
    }

  if (!g_queue_is_empty (&self->ready))
    self->waited = TRUE;
  ping_if_idle (self);
}

/* The fast path of a value that has nothing before it in its
 * characteristic: when the window has room, no characteristic waits for
 * it (after a flush() one only waits when the window is full, and then
 * it goes first), so it is sent at once, as flush() would, without a
 * queue entry. FALSE: the caller queues it. */
gboolean
gp_notify_pacer_try_send (GpNotifyPacer    *self,
                          GpCharacteristic *chrc,
                          GBytes           *value,
                          GTask            *task)
{
  if (!can_send (self))
    return FALSE;
  /* Only a value that waits for room says the window may be too small
   * (one that waits for bluetoothd to appear says nothing of it). */
  if (self->in_flight >= self->limit || !g_queue_is_empty (&self->ready))
    {
      self->waited = TRUE;
      return FALSE;
    }
  send_value (self, chrc, value, task != NULL ? g_object_ref (task) : NULL);
  ping_if_idle (self);
  return TRUE;
}

void
gp_notify_pacer_queue (GpNotifyPacer    *self,
                       GpCharacteristic *characteristic)
{
  enqueue (self, characteristic);
  flush (self);
}

void
gp_notify_pacer_cancel (GpNotifyPacer    *self,
                        GpCharacteristic *characteristic)
{
  if (!g_hash_table_remove (self->ready_set, characteristic))
    return;
  g_queue_remove (&self->ready, characteristic);
  g_object_unref (characteristic);
}

void
gp_notify_pacer_sent (GpNotifyPacer *self,
                      GTask         *task)
{
  account (self, task != NULL ? g_object_ref (task) : NULL, 1);
  flush (self);
}
