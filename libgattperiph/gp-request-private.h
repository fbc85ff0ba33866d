/* gp-request-private.h: GpRequest inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"
#include "gp-dbus-util-private.h"

G_BEGIN_DECLS

GpRequest   *gp_request_new                    (GpAttribute            *attribute,
                                                GpRequestKind           kind,
                                                GDBusMethodInvocation  *invocation,
                                                const GpRequestOptions *options,
                                                GBytes                 *value);

/* A write BlueZ acknowledged already (AcquireWrite): answering it only
 * marks it answered. */
GpRequest   *gp_request_new_without_reply      (GpAttribute            *attribute,
                                                const GpRequestOptions *options,
                                                GBytes                 *value);

G_END_DECLS
