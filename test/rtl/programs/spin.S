/* spin.S: never ends; for the cycle limit. */
#include "env.h"
TEST_BEGIN
1: j 1b
TEST_END
