/* gpt-behavior.h: what a served characteristic does (the profile's
 * "behavior" member), and the log of every request to it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gattperiph.h>

#include "gpt-log.h"

G_BEGIN_DECLS

typedef struct _GptBehavior GptBehavior;

gboolean     gpt_behavior_check (GpProfile    *profile,
                                 GpAttribute  *attribute,
                                 const char   *path,
                                 GPtrArray    *problems);
GptBehavior *gpt_behavior_new   (GpProfile    *profile,
                                 GpAttribute  *attribute,
                                 JsonNode     *value_template,
                                 GptLog       *log,
                                 GError      **error);
void         gpt_behavior_free  (GptBehavior  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GptBehavior, gpt_behavior_free)

G_END_DECLS
