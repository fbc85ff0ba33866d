/* gp-uuid.c: Bluetooth UUID strings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-uuid.h"
#include "gp-error.h"
#include "gp-uuid-private.h"

#include <string.h>

/* The Bluetooth Base UUID, 00000000-0000-1000-8000-00805F9B34FB. */
#define BASE_UUID_SUFFIX "-0000-1000-8000-00805f9b34fb"

static gboolean
all_hex (const char *s,
         gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

static char *
normalize (const char *uuid)
{
  const char *s = uuid;
  gsize len;

  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  len = strlen (s);

  if ((len == 4 || len == 8) && all_hex (s, len))
    {
      g_autofree char *lower = g_ascii_strdown (s, len);
      return g_strdup_printf ("%s%s%s", len == 4 ? "0000" : "", lower, BASE_UUID_SUFFIX);
    }

  if (s != uuid)
    return NULL;  /* "0x" only prefixes 16- and 32-bit UUIDs */

  if (len == 36)
    {
      for (gsize i = 0; i < 36; i++)
        {
          gboolean dash = (i == 8 || i == 13 || i == 18 || i == 23);
          if (dash ? s[i] != '-' : !g_ascii_isxdigit (s[i]))
            return NULL;
        }
      return g_ascii_strdown (s, len);
    }

  return NULL;
}

/**
 * gp_uuid_normalize:
 * @uuid: a 16-bit (`"180d"`, `"0x180D"`), 32-bit (`"0000180d"`) or 128-bit
 *   (`"0000180d-0000-1000-8000-00805f9b34fb"`) UUID, in any case
 * @error: return location for a #GError
 *
 * Turns a UUID in any of the forms Bluetooth uses into the lowercase 128-bit
 * form BlueZ reports. 16- and 32-bit UUIDs are expanded with the Bluetooth
 * Base UUID.
 *
 * Returns: (transfer full): the normalised UUID, or %NULL with @error set
 *   (%GP_ERROR_INVALID_ARGUMENTS) if @uuid is malformed
 *
 * Since: 0.1
 */
char *
gp_uuid_normalize (const char  *uuid,
                   GError     **error)
{
  char *result;

  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = normalize (uuid);
  if (result == NULL)
    g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                 "“%s” is not a Bluetooth UUID: use 4 or 8 hex digits "
                 "(16- or 32-bit, e.g. “180d”) or the 128-bit form "
                 "“xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx”", uuid);
  return result;
}

/**
 * gp_uuid_is_valid:
 * @uuid: a string
 *
 * Whether @uuid is a UUID that gp_uuid_normalize() accepts.
 *
 * Returns: %TRUE if @uuid is a valid 16-, 32- or 128-bit UUID
 *
 * Since: 0.1
 */
gboolean
gp_uuid_is_valid (const char *uuid)
{
  g_autofree char *n = NULL;

  g_return_val_if_fail (uuid != NULL, FALSE);

  n = normalize (uuid);
  return n != NULL;
}

/* If @normalized is based on the Bluetooth Base UUID, its 32-bit value. */
gboolean
gp_uuid_get_short (const char *normalized,
                   guint32    *out_value)
{
  if (normalized == NULL || strlen (normalized) != 36 ||
      strcmp (normalized + 8, BASE_UUID_SUFFIX) != 0)
    return FALSE;
  *out_value = (guint32) g_ascii_strtoull (normalized, NULL, 16);
  return TRUE;
}
