/* gp-write-socket.c: the sockets bluetoothd writes to (AcquireWrite)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-write-socket-private.h"
#include "gp-attribute-private.h"
#include "gp-dbus-util-private.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>

/* What bluetoothd does with an AcquireWrite socket (src/gatt-database.c):
 *
 * - It asks on the first write (of any kind) to a characteristic that
 *   exports a WriteAcquired property, queues the writes that come while
 *   it waits for the answer, and sends them into the socket when the
 *   answer arrives. An error that maps to ATT's Unlikely Error (0x0E:
 *   InvalidArguments, for one) makes it send the queued writes with
 *   WriteValue instead, and ask again on the next write.
 * - Then every write goes into the socket with sendmsg(MSG_NOSIGNAL), one
 *   datagram each, and is acknowledged to the central at once: Write
 *   Requests too, and the chunks of a long write, without their offset.
 *   A full socket makes it fail that write (0x0E for a Write Request; a
 *   Write Command is lost).
 * - 5.66 keeps one socket for every central, from the first AcquireWrite
 *   until we close it (it sees HUP) or the application goes. From 5.69
 *   each central gets its own, shut down when that central's ATT bearer
 *   goes away.
 *
 * We read the sockets on the characteristic's main context, a bounded
 * batch per dispatch, straight into the write path: memory is the
 * kernel's socket buffer, and a slow application makes bluetoothd drop
 * writes rather than queue them without end. */

/* Datagrams applied per dispatch, so that other sources get their turn. */
#define READ_BATCH 64

typedef struct
{
  GpWriteSockets *owner;
  int             fd;       /* -1 once closed */
  GSource        *watch;
  char           *device;   /* the central that acquired it, or NULL */
  guint16         mtu;
  GpLinkType      link;
  guint           seq;      /* order of acquisition */
  gboolean        fresh;    /* bluetoothd may still flush what it queued; under owner->lock */
} WriteSocket;

struct _GpWriteSockets
{
  GpAttribute           *attribute;   /* weak: it owns us */
  GMainContext          *context;
  GpWriteSocketsChanged  changed;
  gpointer               user_data;
  GMutex                 lock;        /* sockets, fresh: against the I/O thread */
  GPtrArray             *sockets;     /* WriteSocket (rc box) */
  gint                   n_sockets;   /* atomic: sockets->len, for the I/O thread */
  gint                   applying;    /* atomic: datagrams taken but maybe not applied */
  guint                  acquired;    /* sockets acquired so far (WriteSocket.seq) */
};

typedef enum
{
  READ_MORE,     /* the batch is used up; more may wait */
  READ_EMPTY,    /* nothing more for now */
  READ_CLOSED,   /* end of file or an error: close it */
  READ_GONE,     /* closed while a write was applied */
} ReadResult;

static void
write_socket_clear (gpointer data)
{
  WriteSocket *ws = data;

  g_free (ws->device);
}

static void
write_socket_unref (gpointer data)
{
  g_rc_box_release_full (data, write_socket_clear);
}

GpWriteSockets *
gp_write_sockets_new (GpAttribute           *attribute,
                      GMainContext          *context,
                      GpWriteSocketsChanged  changed,
                      gpointer               user_data)
{
  GpWriteSockets *self = g_new0 (GpWriteSockets, 1);

  self->attribute = attribute;
  self->context = g_main_context_ref (context);
  self->changed = changed;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  self->sockets = g_ptr_array_new_with_free_func (write_socket_unref);
  return self;
}

void
gp_write_sockets_free (GpWriteSockets *self)
{
  if (self == NULL)
    return;
  gp_write_sockets_close (self, FALSE);
  g_ptr_array_unref (self->sockets);
  g_mutex_clear (&self->lock);
  g_main_context_unref (self->context);
  g_free (self);
}

gboolean
gp_write_sockets_get_acquired (GpWriteSockets *self)
{
  return self->sockets->len > 0;
}

/* Out of the set (and out of the I/O thread's sight), then closed. */
static void
close_socket (GpWriteSockets *self,
              WriteSocket    *ws)
{
  gboolean last;
  guint index;

  if (ws->fd < 0)
    return;

  gp_source_clear (&ws->watch);
  g_mutex_lock (&self->lock);
  if (g_ptr_array_find (self->sockets, ws, &index))
    g_ptr_array_steal_index (self->sockets, index);
  g_atomic_int_set (&self->n_sockets, self->sockets->len);
  close (ws->fd);
  ws->fd = -1;
  last = self->sockets->len == 0;
  g_mutex_unlock (&self->lock);

  g_debug ("AcquireWrite socket of %s (%s) closed",
           gp_attribute_get_uuid (self->attribute), ws->device != NULL ? ws->device : "any central");
  write_socket_unref (ws);
  if (last && self->changed != NULL)
    self->changed (self->user_data);
}

/* Applies up to @max datagrams of @ws as writes without reply. */
static ReadResult
read_datagrams (GpWriteSockets *self,
                WriteSocket    *ws,
                guint           max)
{
  g_autoptr(GObject) keep = g_object_ref (G_OBJECT (self->attribute));
  ReadResult result = READ_MORE;
  GpRequestOptions opts = {
    .offset = 0,
    .mtu = ws->mtu,
    .device = ws->device,
    .link = ws->link,
    .prepare_authorize = FALSE,
    .write_type = GP_WRITE_TYPE_COMMAND,
  };

  /* Before taking a datagram out of the socket: the I/O thread looks at
   * the socket first, then at this count (see gp_write_sockets_pending). */
  g_atomic_int_inc (&self->applying);
  g_rc_box_acquire (ws);
  for (guint i = 0; i < max; i++)
    {
      guint8 buf[GP_MAX_VALUE_LENGTH];
      g_autoptr(GBytes) value = NULL;
      ssize_t n;

      if (ws->fd < 0)
        {
          result = READ_GONE;
          break;
        }
      n = recv (ws->fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          if (errsv != EAGAIN && errsv != EWOULDBLOCK)
            {
              g_debug ("AcquireWrite socket of %s: %s",
                       gp_attribute_get_uuid (self->attribute), g_strerror (errsv));
              result = READ_CLOSED;
            }
          else
            result = READ_EMPTY;
          break;
        }
      if (n == 0)
        {
          struct pollfd pfd = { .fd = ws->fd, .events = POLLRDHUP };

          /* End of file, or a zero-length write (ATT allows them). */
          if (poll (&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP)) != 0)
            {
              result = READ_CLOSED;
              break;
            }
        }
      if ((gsize) n > sizeof buf)
        {
          g_warning ("A write of %" G_GSSIZE_FORMAT " bytes to %s over its socket is longer "
                     "than the %d bytes ATT allows; dropped",
                     n, gp_attribute_get_uuid (self->attribute), GP_MAX_VALUE_LENGTH);
          continue;
        }

      value = g_bytes_new (buf, n);
      gp_attribute_handle_socket_write (self->attribute, &opts, value);
    }
  if (result == READ_MORE && ws->fd < 0)
    result = READ_GONE;
  write_socket_unref (ws);
  g_atomic_int_add (&self->applying, -1);
  return result;
}

static gboolean
on_socket_ready (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  WriteSocket *ws = user_data;
  GpWriteSockets *self = ws->owner;

  switch (read_datagrams (self, ws, READ_BATCH))
    {
    case READ_MORE:
      return G_SOURCE_CONTINUE;
    case READ_EMPTY:
      if ((condition & (G_IO_HUP | G_IO_ERR)) == 0)
        return G_SOURCE_CONTINUE;
      G_GNUC_FALLTHROUGH;
    case READ_CLOSED:
      close_socket (self, ws);
      return G_SOURCE_REMOVE;
    case READ_GONE:
    default:
      return G_SOURCE_REMOVE;
    }
}

/* Applies everything the sockets hold now (before a read, or before they
 * are closed). Handlers may close sockets meanwhile: we go through a
 * snapshot. */
static void
drain (GpWriteSockets *self)
{
  g_autoptr(GPtrArray) sockets = NULL;

  if (self->sockets->len == 0)
    return;
  sockets = g_ptr_array_new_full (self->sockets->len, write_socket_unref);
  for (guint i = 0; i < self->sockets->len; i++)
    g_ptr_array_add (sockets, g_rc_box_acquire (g_ptr_array_index (self->sockets, i)));

  for (guint i = 0; i < sockets->len; i++)
    {
      WriteSocket *ws = g_ptr_array_index (sockets, i);
      ReadResult result;

      while ((result = read_datagrams (self, ws, G_MAXUINT)) == READ_MORE)
        ;
      if (result == READ_CLOSED)
        close_socket (self, ws);
    }
}

void
gp_write_sockets_close (GpWriteSockets *self,
                        gboolean        apply)
{
  if (apply)
    drain (self);
  while (self->sockets->len > 0)
    close_socket (self, g_ptr_array_index (self->sockets, 0));
}

static void round_trip (GpWriteSockets        *self,
                        GDBusConnection       *connection,
                        const char            *peer,
                        GDBusMethodInvocation *invocation,
                        GVariant              *parameters,
                        GpWriteSocketsFunc     func);

static WriteSocket *
find_socket_of (GpWriteSockets *self,
                const char     *device)
{
  for (guint i = 0; i < self->sockets->len; i++)
    {
      WriteSocket *ws = g_ptr_array_index (self->sockets, i);

      if (g_strcmp0 (ws->device, device) == 0)
        return ws;
    }
  return NULL;
}

void
gp_write_sockets_acquire (GpWriteSockets        *self,
                          GDBusMethodInvocation *invocation,
                          GVariant              *parameters)
{
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 0);
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = g_object_ref (g_dbus_method_invocation_get_connection (invocation));
  g_autofree char *peer = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  GpRequestOptions opts;
  WriteSocket *ws, *old;
  gboolean first;
  int fd, index;

  /* InvalidArguments maps to ATT's Unlikely Error: bluetoothd then sends
   * the write with WriteValue, so nothing is lost. */
  if (!gp_request_options_parse (options, &opts, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  if (opts.offset != 0 || opts.prepare_authorize)
    {
      g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                                             "AcquireWrite takes no offset or prepare-authorize");
      return;
    }

  /* bluetoothd asks again for a central when it lost that central's
   * socket (its HUP may not have reached us yet), or when it did not take
   * our last answer yet: it asks on every write until it holds a socket,
   * and sends each of those writes from its ATT buffer when the answer
   * arrives, so their bytes may be a later write's (docs/bluez-quirks.md).
   * Either way the old one goes. */
  old = find_socket_of (self, opts.device);
  if (old != NULL)
    {
      gboolean fresh;

      g_mutex_lock (&self->lock);
      fresh = old->fresh;
      g_mutex_unlock (&self->lock);
      if (fresh)
        g_debug ("AcquireWrite of %s asked again while acquiring: the writes of this round "
                 "trip may carry wrong values (BlueZ)", gp_attribute_get_uuid (self->attribute));
      g_rc_box_acquire (old);
      while (read_datagrams (self, old, G_MAXUINT) == READ_MORE)
        ;
      close_socket (self, old);
      write_socket_unref (old);
    }

  fd = gp_dbus_seqpacket_pair (&fds, &index, &error);
  if (fd < 0)
    {
      /* Refused so that bluetoothd falls back to WriteValue. */
      g_dbus_method_invocation_return_error_literal (invocation, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                                                     error->message);
      return;
    }

  ws = g_rc_box_new0 (WriteSocket);
  ws->owner = self;
  ws->fd = fd;
  ws->device = g_strdup (opts.device);
  ws->mtu = opts.mtu;
  ws->link = opts.link;
  ws->fresh = TRUE;
  ws->seq = ++self->acquired;
  ws->watch = gp_fd_source_attach (self->context, ws->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                   on_socket_ready, ws);
  g_mutex_lock (&self->lock);
  first = self->sockets->len == 0;
  g_ptr_array_add (self->sockets, ws);
  g_atomic_int_set (&self->n_sockets, self->sockets->len);
  g_mutex_unlock (&self->lock);

  g_debug ("AcquireWrite of %s by %s (MTU %u)", gp_attribute_get_uuid (self->attribute),
           opts.device != NULL ? opts.device : "a central", opts.mtu);
  /* BlueZ ignores the MTU we answer; bluetoothctl answers the one it was
   * given, and so do we (ATT's default if BlueZ gave none). */
  g_dbus_method_invocation_return_value_with_unix_fd_list (invocation,
                                                           g_variant_new ("(hq)", index,
                                                                          opts.mtu != 0 ? opts.mtu : 23),
                                                           fds);
  /* Until bluetoothd took this answer (and sent the writes it queued
   * meanwhile), reads wait for a round trip: start one now. */
  round_trip (self, connection, peer, NULL, NULL, NULL);
  if (first && self->changed != NULL)
    self->changed (self->user_data);
}

/* With sockets: whether one holds a datagram or is fresh (a poll(), under
 * the lock). Out of line, so that the common case below needs no frame. */
static G_GNUC_NO_INLINE gboolean
sockets_pending (GpWriteSockets *self)
{
  struct pollfd pfds[8];
  gboolean pending = FALSE;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->sockets->len && !pending; i += G_N_ELEMENTS (pfds))
    {
      guint n = MIN (self->sockets->len - i, G_N_ELEMENTS (pfds));

      for (guint j = 0; j < n; j++)
        {
          WriteSocket *ws = g_ptr_array_index (self->sockets, i + j);

          pending = pending || ws->fresh;
          pfds[j].fd = ws->fd;
          pfds[j].events = POLLIN;
          pfds[j].revents = 0;
        }
      if (!pending && poll (pfds, n, 0) > 0)
        for (guint j = 0; j < n; j++)
          pending = pending || (pfds[j].revents & POLLIN) != 0;
    }
  g_mutex_unlock (&self->lock);
  return pending;
}

gboolean
gp_write_sockets_pending (GpWriteSockets *self)
{
  /* The common case, no socket: no lock, no system call. A socket is
   * counted before bluetoothd can know of it (our answer to AcquireWrite
   * leaves through GDBus's I/O thread after the count went up, and the
   * filter runs on that thread), so a call that bluetoothd sent after a
   * write into a socket finds it counted. A datagram taken out of a
   * socket closed meanwhile is still counted in applying.
   *
   * The sockets before applying: a datagram taken out before we looked
   * is counted there until it was applied. */
  return (g_atomic_int_get (&self->n_sockets) > 0 && sockets_pending (self)) ||
         g_atomic_int_get (&self->applying) > 0;
}

typedef struct
{
  GpWriteSockets        *self;
  GpAttribute           *attribute;   /* strong: keeps self alive */
  guint                  acquired;    /* sockets acquired when it was sent */
  GDBusMethodInvocation *invocation;  /* a call waiting for it, or NULL */
  GVariant              *parameters;
  GpWriteSocketsFunc     func;
} RoundTrip;

static void
on_round_trip (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RoundTrip *rt = user_data;
  GpWriteSockets *self = rt->self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* An error (bluetoothd went) orders nothing, but nothing is owed then. */
  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (error != NULL)
    g_debug ("Round trip to bluetoothd: %s", error->message);

  /* bluetoothd handled our answers to AcquireWrite before this: the
   * writes it had queued are in the sockets. */
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->sockets->len; i++)
    {
      WriteSocket *ws = g_ptr_array_index (self->sockets, i);

      if (ws->seq <= rt->acquired)
        ws->fresh = FALSE;
    }
  g_mutex_unlock (&self->lock);

  if (rt->func != NULL)
    {
      drain (self);
      rt->func (rt->attribute, rt->invocation, rt->parameters);
      g_variant_unref (rt->parameters);
    }
  g_object_unref (rt->attribute);
  g_free (rt);
}

/* A Peer.Ping to @peer (bluetoothd), which answers it after every message
 * we sent it before; then @func runs, if given, taking over @invocation. */
static void
round_trip (GpWriteSockets        *self,
            GDBusConnection       *connection,
            const char            *peer,
            GDBusMethodInvocation *invocation,
            GVariant              *parameters,
            GpWriteSocketsFunc     func)
{
  RoundTrip *rt = g_new0 (RoundTrip, 1);

  rt->self = self;
  rt->attribute = g_object_ref (self->attribute);
  rt->acquired = self->acquired;
  if (func != NULL)
    {
      rt->invocation = invocation;
      rt->parameters = g_variant_ref (parameters);
      rt->func = func;
    }
  g_main_context_push_thread_default (self->context);
  g_dbus_connection_call (connection, peer, "/",
                          "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_round_trip, rt);
  g_main_context_pop_thread_default (self->context);
}

static gboolean
any_fresh (GpWriteSockets *self)
{
  for (guint i = 0; i < self->sockets->len; i++)
    if (((WriteSocket *) g_ptr_array_index (self->sockets, i))->fresh)
      return TRUE;
  return FALSE;
}

void
gp_write_sockets_run_after_writes (GpWriteSockets        *self,
                                   GDBusMethodInvocation *invocation,
                                   GVariant              *parameters,
                                   GpWriteSocketsFunc     func)
{
  drain (self);
  if (!any_fresh (self))
    func (self->attribute, invocation, parameters);
  else
    /* bluetoothd sends the writes it queued while acquiring when it
     * handles our answer to AcquireWrite, which it does before it answers
     * this round trip. */
    round_trip (self, g_dbus_method_invocation_get_connection (invocation),
                g_dbus_method_invocation_get_sender (invocation), invocation, parameters, func);
}
