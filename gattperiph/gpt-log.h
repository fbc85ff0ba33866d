/* gpt-log.h: the event log of `gattperiph serve` (text or JSON lines)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gattperiph.h>
#include <stdio.h>

G_BEGIN_DECLS

typedef struct
{
  const char *event;      /* read, write, notify, subscribe, connect, ... */
  const char *central;    /* the central's address, or NULL */
  const char *id;         /* the attribute's id in the profile, or NULL */
  const char *uuid;       /* the attribute's UUID, or NULL */
  gint64      offset;     /* -1: none */
  GBytes     *value;      /* or NULL */
  JsonNode   *typed;      /* the value read as its type, or NULL */
  const char *result;     /* e.g. "att-error 0x80", or NULL for success */
  const char *message;    /* free text, or NULL */
} GptEvent;

#define GPT_EVENT_INIT { .offset = -1 }

typedef struct _GptLog GptLog;

GptLog     *gpt_log_new        (FILE           *out,
                                gboolean        json);
void        gpt_log_free       (GptLog         *log);
void        gpt_log_emit       (GptLog         *log,
                                const GptEvent *event);
void        gpt_log_message    (GptLog         *log,
                                const char     *event,
                                const char     *format,
                                ...) G_GNUC_PRINTF (3, 4);
const char *gpt_uuid_short     (const char     *uuid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GptLog, gpt_log_free)

G_END_DECLS
