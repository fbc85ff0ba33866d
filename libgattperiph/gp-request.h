/* gp-request.h: one read or write request from a central
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"
#include "gp-error.h"

G_BEGIN_DECLS

/**
 * GpRequestKind:
 * @GP_REQUEST_KIND_READ: a Read or Read Blob of the attribute's value
 * @GP_REQUEST_KIND_WRITE: a write of the attribute's value (Write Request,
 *   Write Command, or one chunk of a long/reliable write)
 *
 * What a [class@Request] asks for.
 *
 * Since: 0.1
 */
typedef enum {
  GP_REQUEST_KIND_READ,
  GP_REQUEST_KIND_WRITE,
} GpRequestKind;

/**
 * GpLinkType:
 * @GP_LINK_TYPE_UNKNOWN: BlueZ did not say
 * @GP_LINK_TYPE_LE: Bluetooth Low Energy
 * @GP_LINK_TYPE_BR_EDR: Bluetooth Classic (BlueZ also serves GATT over BR/EDR)
 *
 * The link a request arrived on.
 *
 * Since: 0.1
 */
typedef enum {
  GP_LINK_TYPE_UNKNOWN,
  GP_LINK_TYPE_LE,
  GP_LINK_TYPE_BR_EDR,
} GpLinkType;

/**
 * GpWriteType:
 * @GP_WRITE_TYPE_UNKNOWN: BlueZ did not say. BlueZ 5.66 never tells a
 *   server whether a write was a Write Request or a Write Command.
 * @GP_WRITE_TYPE_REQUEST: a Write Request (the central waits for the answer)
 * @GP_WRITE_TYPE_COMMAND: a Write Command (write without response)
 * @GP_WRITE_TYPE_RELIABLE: part of a reliable write
 *
 * The ATT procedure of a write, when BlueZ reports it.
 *
 * Since: 0.1
 */
typedef enum {
  GP_WRITE_TYPE_UNKNOWN,
  GP_WRITE_TYPE_REQUEST,
  GP_WRITE_TYPE_COMMAND,
  GP_WRITE_TYPE_RELIABLE,
} GpWriteType;

#define GP_TYPE_REQUEST (gp_request_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpRequest, gp_request, GP, REQUEST, GObject)

/* Headers that need this type in turn: after its declaration, so that
 * no type is declared twice (C99) whichever header comes first. */
G_END_DECLS
#include "gp-attribute.h"
#include "gp-device.h"
G_BEGIN_DECLS

GP_AVAILABLE_IN_ALL
GpAttribute   *gp_request_get_attribute         (GpRequest     *self);
GP_AVAILABLE_IN_ALL
GpRequestKind  gp_request_get_kind              (GpRequest     *self);
GP_AVAILABLE_IN_ALL
guint          gp_request_get_offset            (GpRequest     *self);
GP_AVAILABLE_IN_ALL
guint          gp_request_get_mtu               (GpRequest     *self);
GP_AVAILABLE_IN_ALL
const char    *gp_request_get_device_path       (GpRequest     *self);
GP_AVAILABLE_IN_ALL
GpDevice      *gp_request_get_device            (GpRequest     *self);
GP_AVAILABLE_IN_ALL
GpLinkType     gp_request_get_link              (GpRequest     *self);
GP_AVAILABLE_IN_ALL
GBytes        *gp_request_get_value             (GpRequest     *self);
GP_AVAILABLE_IN_ALL
gboolean       gp_request_get_prepare_authorize (GpRequest     *self);
GP_AVAILABLE_IN_ALL
GpWriteType    gp_request_get_write_type        (GpRequest     *self);
GP_AVAILABLE_IN_ALL
gboolean       gp_request_get_answered          (GpRequest     *self);

GP_AVAILABLE_IN_ALL
void           gp_request_return_value          (GpRequest     *self,
                                                 GBytes        *value);
GP_AVAILABLE_IN_ALL
void           gp_request_return_partial_value  (GpRequest     *self,
                                                 GBytes        *value);
GP_AVAILABLE_IN_ALL
void           gp_request_return_success        (GpRequest     *self);
GP_AVAILABLE_IN_ALL
void           gp_request_return_error          (GpRequest     *self,
                                                 const GError  *error);
GP_AVAILABLE_IN_ALL
void           gp_request_return_error_literal  (GpRequest     *self,
                                                 gint           code,
                                                 const char    *message);
GP_AVAILABLE_IN_ALL
void           gp_request_return_att_error      (GpRequest     *self,
                                                 guint8         att_code);

G_END_DECLS
