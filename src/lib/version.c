/* version.c - the library version, set by CMake from project(VERSION) */
#include "smtpdx/smtpdx.h"

#ifndef SDX_VERSION
#define SDX_VERSION "0.0.0"
#endif

const char *sdx_version(void)
{
    return SDX_VERSION;
}
