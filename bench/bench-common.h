/* bench-common.h: small helpers shared by the benchmark programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The GATT tree every benchmark server exports: the same paths, UUIDs,
 * flags and 20-byte values, whatever the implementation. */
#define BENCH_APP_PATH      "/org/gattperiph/bench"
#define BENCH_ADAPTER_PATH  "/org/bluez/hci0"
#define BENCH_DEVICE_PATH   "/org/bluez/hci0/dev_00_11_22_33_44_55"
#define BENCH_VALUE_LEN     20

/* UUIDs: service s, characteristic c of service s, descriptor d of it. */
static inline char *
bench_uuid (guint kind, guint a, guint b, guint c)
{
  return g_strdup_printf ("%08x-0000-1000-8000-%04x%04x%04x", 0xb0000000u | kind, a, b, c);
}

/* CPU time (user + system, all threads, ns) of another process. */
static inline gint64
bench_process_cpu_ns (GPid pid)
{
  clockid_t clock;
  struct timespec ts;

  if (pid <= 0 || clock_getcpuclockid (pid, &clock) != 0 || clock_gettime (clock, &ts) != 0)
    return -1;
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static inline gint64
bench_self_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* A field of /proc/PID/status in kB (VmRSS, VmHWM), or -1. */
static inline gint64
bench_proc_status_kb (GPid        pid,
                      const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  gsize flen = strlen (field);

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  for (char *line = contents; line != NULL && *line != '\0';)
    {
      char *next = strchr (line, '\n');
      if (strncmp (line, field, flen) == 0 && line[flen] == ':')
        return g_ascii_strtoll (line + flen + 1, NULL, 10);
      line = next != NULL ? next + 1 : NULL;
    }
  return -1;
}

static inline const char *
bench_gatt_xml (void)
{
  return
    "<node>"
    " <interface name='org.bluez.GattService1'>"
    "  <property name='UUID' type='s' access='read'/>"
    "  <property name='Primary' type='b' access='read'/>"
    "  <property name='Includes' type='ao' access='read'/>"
    " </interface>"
    " <interface name='org.bluez.GattCharacteristic1'>"
    "  <method name='ReadValue'>"
    "   <arg name='options' type='a{sv}' direction='in'/>"
    "   <arg name='value' type='ay' direction='out'/>"
    "  </method>"
    "  <method name='WriteValue'>"
    "   <arg name='value' type='ay' direction='in'/>"
    "   <arg name='options' type='a{sv}' direction='in'/>"
    "  </method>"
    "  <method name='StartNotify'/>"
    "  <method name='StopNotify'/>"
    "  <method name='AcquireNotify'>"
    "   <arg name='options' type='a{sv}' direction='in'/>"
    "   <arg name='fd' type='h' direction='out'/>"
    "   <arg name='mtu' type='q' direction='out'/>"
    "  </method>"
    "  <property name='UUID' type='s' access='read'/>"
    "  <property name='Service' type='o' access='read'/>"
    "  <property name='Flags' type='as' access='read'/>"
    "  <property name='Value' type='ay' access='read'/>"
    "  <property name='Notifying' type='b' access='read'/>"
    " </interface>"
    " <interface name='org.bluez.GattDescriptor1'>"
    "  <method name='ReadValue'>"
    "   <arg name='options' type='a{sv}' direction='in'/>"
    "   <arg name='value' type='ay' direction='out'/>"
    "  </method>"
    "  <method name='WriteValue'>"
    "   <arg name='value' type='ay' direction='in'/>"
    "   <arg name='options' type='a{sv}' direction='in'/>"
    "  </method>"
    "  <property name='UUID' type='s' access='read'/>"
    "  <property name='Characteristic' type='o' access='read'/>"
    "  <property name='Flags' type='as' access='read'/>"
    " </interface>"
    " <interface name='org.freedesktop.DBus.ObjectManager'>"
    "  <method name='GetManagedObjects'>"
    "   <arg name='objects' type='a{oa{sa{sv}}}' direction='out'/>"
    "  </method>"
    "  <signal name='InterfacesAdded'>"
    "   <arg name='object' type='o'/>"
    "   <arg name='interfaces' type='a{sa{sv}}'/>"
    "  </signal>"
    "  <signal name='InterfacesRemoved'>"
    "   <arg name='object' type='o'/>"
    "   <arg name='interfaces' type='as'/>"
    "  </signal>"
    " </interface>"
    " <interface name='org.bluez.GattManager1'>"
    "  <method name='RegisterApplication'>"
    "   <arg name='application' type='o' direction='in'/>"
    "   <arg name='options' type='a{sv}' direction='in'/>"
    "  </method>"
    "  <method name='UnregisterApplication'>"
    "   <arg name='application' type='o' direction='in'/>"
    "  </method>"
    " </interface>"
    "</node>";
}

/* Common server options: the size of the tree. */
typedef struct
{
  int services;
  int chars;        /* in all, spread over the services */
  int descs;        /* per characteristic */
} BenchTree;

static inline int
bench_chars_in_service (const BenchTree *t,
                        int              s)
{
  /* Spread evenly, the first services take the remainder. */
  return t->chars / t->services + (s < t->chars % t->services ? 1 : 0);
}

/* Prints a line to stdout for the stand-in and flushes it. */
static inline void
bench_say (const char *fmt,
           ...) G_GNUC_PRINTF (1, 2);

static inline void
bench_say (const char *fmt,
           ...)
{
  va_list ap;

  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

/* Part 4's write phase: the writes a radio peripheral received, whose
 * values start with the central's 4-byte little-endian sequence number. */
typedef struct
{
  guint64 writes;           /* every write */
  guint64 writes_acquired;  /* of those, over an AcquireWrite socket */
  guint64 gaps;             /* writes whose sequence number skipped some */
  guint64 skipped;          /* sequence numbers skipped in all */
  guint64 steps_back;       /* writes whose sequence number was not above the last */
  guint32 last_seq;
} BenchWrites;

static inline void
bench_writes_count (BenchWrites  *w,
                    const guint8 *v,
                    gsize         len,
                    gboolean      acquired)
{
  guint32 seq;

  w->writes++;
  if (acquired)
    w->writes_acquired++;
  if (len < sizeof seq)
    return;
  seq = (guint32) v[0] | (guint32) v[1] << 8 | (guint32) v[2] << 16 | (guint32) v[3] << 24;
  if (w->writes > 1 && seq <= w->last_seq)
    w->steps_back++;
  else if (w->writes > 1 && seq > w->last_seq + 1)
    {
      w->gaps++;
      w->skipped += seq - w->last_seq - 1;
    }
  w->last_seq = seq;
}

/* "WHAT t=µs writes=N ...", read by bench/part4-guest.py. */
static inline void
bench_writes_print (const BenchWrites *w,
                    const char        *what)
{
  g_print ("%s t=%" G_GINT64_FORMAT " writes=%" G_GUINT64_FORMAT " writes_acquired=%" G_GUINT64_FORMAT
           " gaps=%" G_GUINT64_FORMAT " skipped=%" G_GUINT64_FORMAT " steps_back=%" G_GUINT64_FORMAT
           " last_seq=%u\n", what, g_get_monotonic_time (), w->writes, w->writes_acquired,
           w->gaps, w->skipped, w->steps_back, w->last_seq);
}
