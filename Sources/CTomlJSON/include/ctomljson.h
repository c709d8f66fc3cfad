// CTomlJSON: TOML → JSON text through toml++ (Debian libtomlplusplus-dev, header-only), so TauSandbox reads
// tau.toml with the field's TOML parser while taurun links no Foundation (TOMLKit's Swift layer needs it).
#ifndef TAURUN_CTOMLJSON_H
#define TAURUN_CTOMLJSON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Parses `len` bytes of TOML. On success returns a malloc'd NUL-terminated JSON document (the caller frees it).
// On an error returns NULL, writes the reason into `error` (NUL-terminated, truncated to `error_cap`) and its
// position into *error_line / *error_column (column 0 when unknown).
char *tr_toml_to_json(const char *text, size_t len, char *error, size_t error_cap, int *error_line, int *error_column);

#ifdef __cplusplus
}
#endif

#endif
