// CTomlJSON: TOML → JSON text through toml++ (Debian libtomlplusplus-dev, header-only), so TauSandbox reads
// tau.toml with the field's TOML parser while taurun links no Foundation (TOMLKit's Swift layer needs it).
#ifndef TAURUN_CTOMLJSON_H
#define TAURUN_CTOMLJSON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Parses `len` bytes of TOML. On success returns a malloc'd NUL-terminated JSON document (the caller frees it).
// On a syntax error returns NULL and writes "line L, column C: reason" into `error` (NUL-terminated, truncated to
// `error_cap`) and the line into *error_line.
char *tr_toml_to_json(const char *text, size_t len, char *error, size_t error_cap, int *error_line);

#ifdef __cplusplus
}
#endif

#endif
