/* gp-version-macros.h: symbol visibility and availability
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <glib.h>

#if defined(GATTPERIPH_COMPILATION) && defined(__GNUC__)
# define _GP_EXTERN __attribute__((visibility("default"))) extern
#else
# define _GP_EXTERN extern
#endif

/* Every public symbol of the 0.1 series. */
#define GP_AVAILABLE_IN_ALL _GP_EXTERN
#define GP_AVAILABLE_IN_0_1 _GP_EXTERN
