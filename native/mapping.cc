// Shared-memory segments and mapped file regions, handed to JavaScript as
// ArrayBuffers over the mapping itself (no copy), so that typed arrays and
// Atomics read and write the memory other processes see.
#include <napi.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <unordered_map>

#include "errno_error.h"

namespace conflux {

namespace {

// One per mapping; the finalizer's hint. An explicit unmap marks it released so
// the finalizer, which runs later, does not unmap again — and never unmaps a
// newer mapping that the kernel placed at the same address.
struct Mapping {
  void* address;
  size_t length;
  bool released;
};

// Live mappings by address, for explicit unmap. Shared by every worker thread
// that loaded the addon, hence the lock; touched only on map and unmap.
std::mutex mappings_lock;
std::unordered_map<void*, Mapping*> mappings;

void Release(Mapping* mapping) {
  if (mapping->released) return;
  mapping->released = true;
  auto found = mappings.find(mapping->address);
  if (found != mappings.end() && found->second == mapping) mappings.erase(found);
  munmap(mapping->address, mapping->length);
}

void Finalize(Napi::Env, void*, Mapping* mapping) {
  {
    std::lock_guard<std::mutex> guard(mappings_lock);
    Release(mapping);
  }
  delete mapping;
}

Napi::Value Wrap(Napi::Env env, void* address, size_t length) {
  Mapping* mapping = new Mapping{address, length, false};
  {
    std::lock_guard<std::mutex> guard(mappings_lock);
    mappings[address] = mapping;
  }
  return Napi::ArrayBuffer::New(env, address, length, Finalize, mapping);
}

Napi::Value MapFd(Napi::Env env, int fd, size_t offset, size_t length, bool writable, const std::string& path) {
  int protection = PROT_READ | (writable ? PROT_WRITE : 0);
  void* address = mmap(nullptr, length, protection, MAP_SHARED, fd, static_cast<off_t>(offset));
  int err = errno;
  close(fd);
  if (address == MAP_FAILED) {
    ErrnoError(env, err, "mmap", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Wrap(env, address, length);
}

size_t ToSize(const Napi::Value& value) { return static_cast<size_t>(value.As<Napi::Number>().Int64Value()); }

}  // namespace

// create(path, size, mode): a new file (O_EXCL: never adopt somebody else's),
// sized and mapped shared. The mode is forced with fchmod so a lax umask cannot
// widen it and a strict one cannot break the owner's access.
static Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  size_t size = ToSize(info[1]);
  mode_t mode = static_cast<mode_t>(info[2].As<Napi::Number>().Uint32Value());
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    ErrnoError(env, errno, "create", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (fchmod(fd, mode) != 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd);
    unlink(path.c_str());
    ErrnoError(env, err, "ftruncate", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return MapFd(env, fd, 0, size, true, path);
}

// open(path, writable): maps the whole of an existing file; returns the
// ArrayBuffer, whose byteLength is the file size (0-length files cannot be
// mapped and are reported as EINVAL by mmap, so they are refused here first).
static Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  bool writable = info[1].As<Napi::Boolean>().Value();
  int fd = open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    ErrnoError(env, errno, "open", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  struct stat status;
  if (fstat(fd, &status) != 0) {
    int err = errno;
    close(fd);
    ErrnoError(env, err, "fstat", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (status.st_size == 0) {
    close(fd);
    return Napi::ArrayBuffer::New(env, 0);
  }
  return MapFd(env, fd, 0, static_cast<size_t>(status.st_size), writable, path);
}

// mapRegion(path, offset, length, writable): a window of any file or device,
// e.g. a PCI BAR exposed as /sys/bus/pci/devices/*/resource2 inside a VM. The
// offset must be page aligned, as mmap requires.
static Napi::Value MapRegion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  size_t offset = ToSize(info[1]);
  size_t length = ToSize(info[2]);
  bool writable = info[3].As<Napi::Boolean>().Value();
  int fd = open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_SYNC);
  if (fd < 0) {
    ErrnoError(env, errno, "open", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return MapFd(env, fd, offset, length, writable, path);
}

// unmap(buffer): releases the mapping now rather than at garbage collection and
// detaches the buffer, so a later access reads an empty buffer instead of
// faulting on unmapped memory.
static Napi::Value Unmap(const Napi::CallbackInfo& info) {
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  void* address = buffer.Data();
  if (address == nullptr || buffer.ByteLength() == 0 || buffer.IsDetached()) return info.Env().Undefined();
  std::lock_guard<std::mutex> guard(mappings_lock);
  auto found = mappings.find(address);
  if (found == mappings.end()) return info.Env().Undefined();
  buffer.Detach();
  Release(found->second);
  return info.Env().Undefined();
}

static Napi::Value Unlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (unlink(path.c_str()) != 0) {
    ErrnoError(env, errno, "unlink", path).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

void InitMapping(Napi::Env env, Napi::Object exports) {
  exports.Set("create", Napi::Function::New(env, Create, "create"));
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("mapRegion", Napi::Function::New(env, MapRegion, "mapRegion"));
  exports.Set("unmap", Napi::Function::New(env, Unmap, "unmap"));
  exports.Set("unlink", Napi::Function::New(env, Unlink, "unlink"));
}

}  // namespace conflux
