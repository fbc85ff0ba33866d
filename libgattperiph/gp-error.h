/* gp-error.h: the libgattperiph error domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <glib.h>

#include "gp-version-macros.h"

G_BEGIN_DECLS

/**
 * GP_ERROR:
 *
 * The error domain of libgattperiph. Its codes are registered with D-Bus
 * as BlueZ's `org.bluez.Error.*` names, so an error returned to BlueZ is
 * understood by it, and an error BlueZ returns arrives in this domain.
 *
 * Since: 0.1
 */
#define GP_ERROR (gp_error_quark ())

/**
 * GpError:
 * @GP_ERROR_FAILED: `org.bluez.Error.Failed`. Returned to a read or write
 *   with a text message, a central sees ATT error 0x80; with a message
 *   `"0x80"`..`"0x9f"`, it sees that application error (see
 *   [method@Request.return_att_error]).
 * @GP_ERROR_IN_PROGRESS: `org.bluez.Error.InProgress` (ATT 0xFE).
 * @GP_ERROR_NOT_PERMITTED: `org.bluez.Error.NotPermitted` (ATT 0x02 for a
 *   read, 0x03 for a write). Also used for operations the current state
 *   forbids, such as changing the tree of a registered application.
 * @GP_ERROR_NOT_AUTHORIZED: `org.bluez.Error.NotAuthorized` (ATT 0x08).
 * @GP_ERROR_INVALID_OFFSET: `org.bluez.Error.InvalidOffset` (ATT 0x07).
 * @GP_ERROR_INVALID_VALUE_LENGTH: `org.bluez.Error.InvalidValueLength`
 *   (ATT 0x0D); also a value longer than 512 bytes.
 * @GP_ERROR_NOT_SUPPORTED: `org.bluez.Error.NotSupported` (ATT 0x06).
 * @GP_ERROR_INVALID_ARGUMENTS: `org.bluez.Error.InvalidArguments`: a
 *   malformed UUID, a flag combination BlueZ refuses, an attribute BlueZ
 *   owns.
 * @GP_ERROR_ALREADY_EXISTS: `org.bluez.Error.AlreadyExists`, e.g. an
 *   application registered twice.
 * @GP_ERROR_DOES_NOT_EXIST: `org.bluez.Error.DoesNotExist`.
 * @GP_ERROR_NOT_READY: `org.bluez.Error.NotReady`: the adapter is not
 *   powered, or BlueZ is not running.
 * @GP_ERROR_NOT_AVAILABLE: `org.bluez.Error.NotAvailable`: no adapter or
 *   no GATT manager.
 * @GP_ERROR_NOT_CONNECTED: `org.bluez.Error.NotConnected`.
 * @GP_ERROR_REJECTED: `org.bluez.Error.Rejected` (pairing refused).
 * @GP_ERROR_CANCELED: `org.bluez.Error.Canceled`.
 * @GP_ERROR_IMPROPERLY_CONFIGURED: `org.bluez.Error.ImproperlyConfigured`
 *   (ATT 0x0E with BlueZ 5.66, 0xFD from 5.76).
 *
 * Error codes in the %GP_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum {
  GP_ERROR_FAILED,
  GP_ERROR_IN_PROGRESS,
  GP_ERROR_NOT_PERMITTED,
  GP_ERROR_NOT_AUTHORIZED,
  GP_ERROR_INVALID_OFFSET,
  GP_ERROR_INVALID_VALUE_LENGTH,
  GP_ERROR_NOT_SUPPORTED,
  GP_ERROR_INVALID_ARGUMENTS,
  GP_ERROR_ALREADY_EXISTS,
  GP_ERROR_DOES_NOT_EXIST,
  GP_ERROR_NOT_READY,
  GP_ERROR_NOT_AVAILABLE,
  GP_ERROR_NOT_CONNECTED,
  GP_ERROR_REJECTED,
  GP_ERROR_CANCELED,
  GP_ERROR_IMPROPERLY_CONFIGURED,
} GpError;

/**
 * GP_ATT_ERROR_APPLICATION_FIRST:
 *
 * The first ATT error code reserved for applications (0x80).
 *
 * Since: 0.1
 */
#define GP_ATT_ERROR_APPLICATION_FIRST 0x80

/**
 * GP_ATT_ERROR_APPLICATION_LAST:
 *
 * The last ATT error code reserved for applications (0x9F).
 *
 * Since: 0.1
 */
#define GP_ATT_ERROR_APPLICATION_LAST 0x9F

GP_AVAILABLE_IN_ALL
GQuark  gp_error_quark          (void);

GP_AVAILABLE_IN_ALL
GError *gp_error_new_att        (guint8 att_code);

GP_AVAILABLE_IN_ALL
guint8  gp_error_get_att_code   (const GError *error,
                                 gboolean      is_write);

G_END_DECLS
