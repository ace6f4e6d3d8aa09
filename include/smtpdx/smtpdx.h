/* smtpdx.h - everything public in libsmtpdx, and its version */
#ifndef SMTPDX_H
#define SMTPDX_H

#include "error.h"
#include "buf.h"
#include "esc.h"
#include "reason.h"
#include "reply.h"
#include "kb.h"
#include "classify.h"
#include "event.h"

/* sdx_version - "0.1.0" */
SDX_API const char *sdx_version(void);

#endif
