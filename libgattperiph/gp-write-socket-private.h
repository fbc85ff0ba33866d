/* gp-write-socket-private.h: the sockets bluetoothd writes to (AcquireWrite)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

/* The AcquireWrite sockets of one characteristic: one for all centrals in
 * BlueZ 5.66, one per central from 5.69. Each datagram bluetoothd sends is
 * one write, handed to gp_attribute_handle_socket_write() on the main
 * context the set was made with. */
typedef struct _GpWriteSockets GpWriteSockets;

/* Called on the main context when the first socket was acquired or the
 * last one closed. */
typedef void (*GpWriteSocketsChanged) (gpointer user_data);

GpWriteSockets *gp_write_sockets_new           (GpAttribute            *attribute,
                                                GMainContext           *context,
                                                GpWriteSocketsChanged   changed,
                                                gpointer                user_data);
void         gp_write_sockets_free             (GpWriteSockets         *self);

/* AcquireWrite(a{sv} options) -> (h fd, q mtu). Takes over @invocation. */
void         gp_write_sockets_acquire          (GpWriteSockets         *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters);
/* Whether bluetoothd holds at least one socket. */
gboolean     gp_write_sockets_get_acquired     (GpWriteSockets         *self);
/* Safe from any thread (GDBus's I/O thread asks before answering a read
 * from the stored value): whether a write may not have been applied yet,
 * because a socket holds a datagram, one is being applied, or a socket
 * was acquired and no round trip to bluetoothd has completed since (it
 * may still be sending the writes it queued while acquiring). Such a read
 * goes to the main context, through gp_write_sockets_run_after_writes(). */
gboolean     gp_write_sockets_pending          (GpWriteSockets         *self);
/* Runs @func (on the main context) once every write bluetoothd sent before
 * @invocation was applied: at once, after reading what the sockets hold,
 * or, while a socket is new, after a round trip to the caller (bluetoothd
 * sends the writes it queued while acquiring when it takes our answer,
 * which it handles before the round trip). Holds references on
 * @invocation and the attribute meanwhile. */
typedef void (*GpWriteSocketsFunc) (GpAttribute           *attribute,
                                    GDBusMethodInvocation *invocation,
                                    GVariant              *parameters);
void         gp_write_sockets_run_after_writes (GpWriteSockets         *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters,
                                                GpWriteSocketsFunc      func);
/* Closes every socket (bluetoothd sees HUP and asks again on the next
 * write), after applying what they hold if @apply (not while the
 * attribute is being destroyed). */
void         gp_write_sockets_close            (GpWriteSockets         *self,
                                                gboolean                apply);

G_END_DECLS
