/* gp-test-dbus-daemon.c: the dbus-daemon GTestDBus starts for the tests,
 * made to die with the test process
 *
 * usage (tests/meson.build sets it for every test):
 *   G_TEST_DBUS_DAEMON=.../gp-test-dbus-daemon
 *
 * GTestDBus runs `$G_TEST_DBUS_DAEMON --print-address=FD --config-file=F`
 * with the test's stdout and stderr, and relies on its watcher process to
 * kill the daemon when the test process dies. The watcher misses the last
 * daemon when the commands that name it reach the watcher together with
 * the one before (GLib 2.74 to 2.84 at least: watch_parent() polls the
 * pipe's descriptor, but g_io_channel_read_line() has already buffered
 * the next line, which waits there until the test is gone), so a test
 * that crashes leaves a dbus-daemon holding meson's output pipe, and meson
 * reports the crash only at its timeout. Here the daemon gets SIGTERM as
 * soon as the process that started it dies, whatever the watcher does.
 * (tests/crash-report.py checks it.)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  pid_t parent = getppid ();

  (void) argc;
  if (prctl (PR_SET_PDEATHSIG, SIGTERM) != 0)
    {
      fprintf (stderr, "gp-test-dbus-daemon: prctl: %s\n", strerror (errno));
      return 127;
    }
  /* The test may have died before prctl(). */
  if (getppid () != parent)
    return 1;
  argv[0] = (char *) "dbus-daemon";
  execvp (argv[0], argv);
  fprintf (stderr, "gp-test-dbus-daemon: cannot run dbus-daemon: %s\n", strerror (errno));
  return 127;
}
