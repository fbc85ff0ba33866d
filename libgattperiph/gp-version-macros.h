/* gp-version-macros.h: symbol visibility, availability and deprecation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <glib.h>

#include "gp-version.h"

#if defined(GATTPERIPH_COMPILATION) && defined(__GNUC__)
# define _GP_EXTERN __attribute__((visibility("default"))) extern
#else
# define _GP_EXTERN extern
#endif

/* The library itself may use what it deprecates. */
#if defined(GATTPERIPH_COMPILATION) && !defined(GP_DISABLE_DEPRECATION_WARNINGS)
# define GP_DISABLE_DEPRECATION_WARNINGS
#endif

/**
 * GP_VERSION_0_1:
 *
 * The 0.1 series of libgattperiph, encoded with G_ENCODE_VERSION() for
 * %GP_VERSION_MIN_REQUIRED and %GP_VERSION_MAX_ALLOWED.
 *
 * Since: 0.1
 */
#define GP_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

/**
 * GP_VERSION_CUR_STABLE:
 *
 * The version of libgattperiph these headers belong to (major and minor),
 * encoded like %GP_VERSION_0_1.
 *
 * Since: 0.1
 */
#define GP_VERSION_CUR_STABLE (G_ENCODE_VERSION (GP_MAJOR_VERSION, GP_MINOR_VERSION))

/**
 * GP_VERSION_MIN_REQUIRED:
 *
 * Define it before including `<gattperiph.h>` to the oldest version of
 * libgattperiph your code must build against (such as %GP_VERSION_0_1):
 * the compiler then warns about the functions deprecated in that version
 * or earlier, and only about those. Defaults to %GP_VERSION_CUR_STABLE.
 * Define `GP_DISABLE_DEPRECATION_WARNINGS` to silence every deprecation
 * warning.
 *
 * Since: 0.1
 */
#ifndef GP_VERSION_MIN_REQUIRED
# define GP_VERSION_MIN_REQUIRED (GP_VERSION_CUR_STABLE)
#endif

/**
 * GP_VERSION_MAX_ALLOWED:
 *
 * Define it before including `<gattperiph.h>` to the newest version of
 * libgattperiph your code may use (such as %GP_VERSION_0_1): the compiler
 * then warns about functions added after it. Defaults to
 * %GP_VERSION_CUR_STABLE.
 *
 * Since: 0.1
 */
#ifndef GP_VERSION_MAX_ALLOWED
# if GP_VERSION_MIN_REQUIRED > GP_VERSION_CUR_STABLE
#  define GP_VERSION_MAX_ALLOWED (GP_VERSION_MIN_REQUIRED)
# else
#  define GP_VERSION_MAX_ALLOWED (GP_VERSION_CUR_STABLE)
# endif
#endif

#if GP_VERSION_MAX_ALLOWED < GP_VERSION_MIN_REQUIRED
# error "GP_VERSION_MAX_ALLOWED must be >= GP_VERSION_MIN_REQUIRED"
#endif

/**
 * GP_DEPRECATED_FOR:
 * @f: the function to use instead
 *
 * Marks a declaration deprecated in favour of @f (a warning unless
 * `GP_DISABLE_DEPRECATION_WARNINGS` is defined).
 *
 * Since: 0.1
 */

/**
 * GP_UNAVAILABLE:
 * @maj: the major version that added the declaration
 * @min: the minor version that added the declaration
 *
 * Marks a declaration added in @maj.@min, above
 * %GP_VERSION_MAX_ALLOWED (a warning).
 *
 * Since: 0.1
 */
#ifdef GP_DISABLE_DEPRECATION_WARNINGS
# define GP_DEPRECATED _GP_EXTERN
# define GP_DEPRECATED_FOR(f) _GP_EXTERN
# define GP_UNAVAILABLE(maj,min) _GP_EXTERN
#else
# define GP_DEPRECATED G_DEPRECATED _GP_EXTERN
# define GP_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _GP_EXTERN
# define GP_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _GP_EXTERN
#endif

/* Every public symbol, whatever the version. */
#define GP_AVAILABLE_IN_ALL _GP_EXTERN

/* Symbols of the 0.1 series. */
/**
 * GP_DEPRECATED_IN_0_1_FOR:
 * @f: the function to use instead
 *
 * Marks a declaration deprecated in 0.1 in favour of @f: the compiler
 * warns when %GP_VERSION_MIN_REQUIRED is 0.1 or later.
 *
 * Since: 0.1
 */
#if GP_VERSION_MIN_REQUIRED >= GP_VERSION_0_1
# define GP_DEPRECATED_IN_0_1 GP_DEPRECATED
# define GP_DEPRECATED_IN_0_1_FOR(f) GP_DEPRECATED_FOR (f)
#else
# define GP_DEPRECATED_IN_0_1 _GP_EXTERN
# define GP_DEPRECATED_IN_0_1_FOR(f) _GP_EXTERN
#endif

#if GP_VERSION_MAX_ALLOWED < GP_VERSION_0_1
# define GP_AVAILABLE_IN_0_1 GP_UNAVAILABLE (0, 1)
#else
# define GP_AVAILABLE_IN_0_1 _GP_EXTERN
#endif
