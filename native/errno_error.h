// Turns a failed system call into a JavaScript Error whose `code` is the errno
// name (ENOENT, EEXIST, ...) and whose message names the operation and the
// object (a segment path, a pid) it was applied to.
#pragma once

#include <napi.h>

#include <string>

namespace conflux {

Napi::Error ErrnoError(Napi::Env env, int err, const std::string& op, const std::string& subject);

}  // namespace conflux
