/* gp-error.c: the libgattperiph error domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-error.h"

#include <gio/gio.h>
#include <stdlib.h>

static const GDBusErrorEntry gp_error_entries[] = {
  { GP_ERROR_FAILED, "org.bluez.Error.Failed" },
  { GP_ERROR_IN_PROGRESS, "org.bluez.Error.InProgress" },
  { GP_ERROR_NOT_PERMITTED, "org.bluez.Error.NotPermitted" },
  { GP_ERROR_NOT_AUTHORIZED, "org.bluez.Error.NotAuthorized" },
  { GP_ERROR_INVALID_OFFSET, "org.bluez.Error.InvalidOffset" },
  { GP_ERROR_INVALID_VALUE_LENGTH, "org.bluez.Error.InvalidValueLength" },
  { GP_ERROR_NOT_SUPPORTED, "org.bluez.Error.NotSupported" },
  { GP_ERROR_INVALID_ARGUMENTS, "org.bluez.Error.InvalidArguments" },
  { GP_ERROR_ALREADY_EXISTS, "org.bluez.Error.AlreadyExists" },
  { GP_ERROR_DOES_NOT_EXIST, "org.bluez.Error.DoesNotExist" },
  { GP_ERROR_NOT_READY, "org.bluez.Error.NotReady" },
  { GP_ERROR_NOT_AVAILABLE, "org.bluez.Error.NotAvailable" },
  { GP_ERROR_NOT_CONNECTED, "org.bluez.Error.NotConnected" },
  { GP_ERROR_REJECTED, "org.bluez.Error.Rejected" },
  { GP_ERROR_CANCELED, "org.bluez.Error.Canceled" },
  { GP_ERROR_IMPROPERLY_CONFIGURED, "org.bluez.Error.ImproperlyConfigured" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (gp_error_entries) == GP_ERROR_IMPROPERLY_CONFIGURED + 1);

/**
 * gp_error_quark:
 *
 * The quark of the %GP_ERROR domain. The first call registers the
 * domain's codes with D-Bus under BlueZ's `org.bluez.Error.*` names.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
GQuark
gp_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("gp-error-quark", &quark,
                                      gp_error_entries,
                                      G_N_ELEMENTS (gp_error_entries));
  return (GQuark) quark;
}

/**
 * gp_error_new_att:
 * @att_code: an application ATT error code, 0x80 to 0x9F
 *
 * Makes the error that, returned to a read or write request, reaches the
 * central as ATT error @att_code. BlueZ (5.66 and later) maps
 * `org.bluez.Error.Failed` with the message `"0x80"`..`"0x9f"` to that code.
 *
 * Returns: (transfer full): a new #GError in the %GP_ERROR domain
 *
 * Since: 0.1
 */
GError *
gp_error_new_att (guint8 att_code)
{
  g_return_val_if_fail (att_code >= GP_ATT_ERROR_APPLICATION_FIRST &&
                        att_code <= GP_ATT_ERROR_APPLICATION_LAST, NULL);

  return g_error_new (GP_ERROR, GP_ERROR_FAILED, "0x%02x", att_code);
}

/**
 * gp_error_get_att_code:
 * @error: an error replied to a read or write request
 * @is_write: whether the request was a write (`NotPermitted` maps to 0x03
 *   for writes and 0x02 for reads)
 *
 * Tells which ATT error code BlueZ 5.66 sends to the central when the
 * application answers a read or write request with @error: the codes of
 * the %GP_ERROR domain (for example 0x06 Request Not Supported for
 * %GP_ERROR_NOT_SUPPORTED), an application code (0x80–0x9F) for errors
 * made by gp_error_new_att(), and 0x0E (Unlikely Error) for errors outside
 * the %GP_ERROR domain.
 *
 * ```c
 * g_autoptr(GError) error = gp_error_new_att (0x85);
 * g_assert (gp_error_get_att_code (error, FALSE) == 0x85);
 * ```
 *
 * Returns: the ATT error code a central will see (never 0, except for
 *   invalid arguments)
 *
 * Since: 0.1
 */
guint8
gp_error_get_att_code (const GError *error,
                       gboolean      is_write)
{
  guint8 code = 0x0e;

  g_return_val_if_fail (error != NULL, 0);

  if (error->domain == GP_ERROR)
    {
      switch ((GpError) error->code)
        {
        case GP_ERROR_FAILED:
          {
            const char *msg = error->message != NULL ? error->message : "";
            char *end = NULL;
            long val = strtol (msg, &end, 0);

            /* As bluetoothd's dbus_error_to_att_ecode(): a message that
             * is not entirely a number gives 0x80; "" parses as 0. */
            if (*end != '\0')
              code = 0x80;
            else if (val >= GP_ATT_ERROR_APPLICATION_FIRST &&
                     val <= GP_ATT_ERROR_APPLICATION_LAST)
              code = (guint8) val;
            else
              code = 0x0e;
          }
          break;
        case GP_ERROR_NOT_SUPPORTED:
          code = 0x06;
          break;
        case GP_ERROR_NOT_AUTHORIZED:
          code = 0x08;
          break;
        case GP_ERROR_INVALID_VALUE_LENGTH:
          code = 0x0d;
          break;
        case GP_ERROR_INVALID_OFFSET:
          code = 0x07;
          break;
        case GP_ERROR_IN_PROGRESS:
          code = 0xfe;
          break;
        case GP_ERROR_NOT_PERMITTED:
          code = is_write ? 0x03 : 0x02;
          break;
        default:
          code = 0x0e;
          break;
        }
    }

  return code;
}
