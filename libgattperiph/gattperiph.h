/* gattperiph.h: the one header of libgattperiph
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define __GATTPERIPH_INSIDE__

#include <gio/gio.h>

#include "gp-version.h"
#include "gp-version-macros.h"
#include "gp-enum-types.h"
#include "gp-error.h"
#include "gp-uuid.h"
#include "gp-request.h"
#include "gp-attribute.h"
#include "gp-descriptor.h"
#include "gp-characteristic.h"
#include "gp-service.h"
#include "gp-adapter.h"
#include "gp-application.h"
#include "gp-device.h"
#include "gp-advertisement.h"
#include "gp-pairing-request.h"
#include "gp-agent.h"
#include "gp-registration.h"
#include "gp-profile.h"

#undef __GATTPERIPH_INSIDE__
