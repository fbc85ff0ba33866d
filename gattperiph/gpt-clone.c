/* gpt-clone.c: `gattperiph clone ADDRESS -o PROFILE.json` (being written) */

#include "gpt-commands.h"

int
gpt_clone_main (int    argc,
                char **argv)
{
  return GPT_EXIT_FAILED;
}
