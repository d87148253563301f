// Shared-memory segments and mapped file regions, handed to JavaScript as
// ArrayBuffers over the mapping itself (no copy), so that typed arrays and
// Atomics read and write the memory other processes see. Every mapping is
// guarded against truncation (truncation.cc) and keeps its file open, so that
// how much of it the file still holds can be measured.
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
#include "truncation_guard.h"

namespace conflux {

namespace {

// One per mapping; the finalizer's hint. An explicit unmap marks it released so
// the finalizer, which runs later, does not unmap again — and never unmaps a
// newer mapping that the kernel placed at the same address.
struct Mapping {
  void* address;
  size_t length;
  bool released;
  int fd;            // kept open: fstat says how much of the mapping the file still holds
  off_t file_offset;  // where the mapping starts in the file
  int guard;         // its slot in the SIGBUS handler's table
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
  UnguardMapping(mapping->guard);
  munmap(mapping->address, mapping->length);
  close(mapping->fd);
}

void Finalize(Napi::Env, void*, Mapping* mapping) {
  {
    std::lock_guard<std::mutex> guard(mappings_lock);
    Release(mapping);
  }
  delete mapping;
}

Napi::Value MapFd(Napi::Env env, int fd, size_t offset, size_t length, bool writable, const std::string& path) {
  int protection = PROT_READ | (writable ? PROT_WRITE : 0);
  void* address = mmap(nullptr, length, protection, MAP_SHARED, fd, static_cast<off_t>(offset));
  if (address == MAP_FAILED) {
    int err = errno;
    close(fd);
    ErrnoError(env, err, "mmap", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int slot = GuardMapping(address, length);
  if (slot < 0) {
    munmap(address, length);
    close(fd);
    Napi::Error::New(env, "map " + path + ": this process maps " + std::to_string(kGuardSlots) +
                              " segments already; close some")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Mapping* mapping = new Mapping{address, length, false, fd, static_cast<off_t>(offset), slot};
  {
    std::lock_guard<std::mutex> guard(mappings_lock);
    mappings[address] = mapping;
  }
  return Napi::ArrayBuffer::New(env, address, length, Finalize, mapping);
}

size_t ToSize(const Napi::Value& value) { return static_cast<size_t>(value.As<Napi::Number>().Int64Value()); }

// Opens a file a segment lives in: never through a symbolic link (a component
// could point one anywhere), and only a regular file (a FIFO or a device is not
// a segment, and a size is only meaningful for a file).
int OpenSegmentFile(Napi::Env env, const std::string& path, int flags, struct stat* status) {
  int fd = open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    ErrnoError(env, errno, "open", path).ThrowAsJavaScriptException();
    return -1;
  }
  if (fstat(fd, status) != 0) {
    int err = errno;
    close(fd);
    ErrnoError(env, err, "fstat", path).ThrowAsJavaScriptException();
    return -1;
  }
  if (!S_ISREG(status->st_mode)) {
    close(fd);
    Napi::Error error = Napi::Error::New(env, "open " + path + ": not a regular file; a segment is a file of its run");
    error.Set("code", Napi::String::New(env, "ENOTREG"));
    error.ThrowAsJavaScriptException();
    return -1;
  }
  return fd;
}

Mapping* FindMapping(const Napi::Value& value) {
  if (!value.IsArrayBuffer()) return nullptr;
  Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
  if (buffer.IsDetached() || buffer.ByteLength() == 0) return nullptr;
  auto found = mappings.find(buffer.Data());
  return found == mappings.end() ? nullptr : found->second;
}

}  // namespace

// create(path, size, mode): a new file (O_EXCL: never adopt somebody else's),
// sized, its space reserved and mapped shared. The mode is forced with fchmod
// so a lax umask cannot widen it and a strict one cannot break the owner's
// access. tmpfs accepts an ftruncate it cannot back and fails the first write
// to a page it has no room for with SIGBUS; fallocate takes the pages now, so a
// full /dev/shm is an error here (code ENOSPC), not a signal later.
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
  const char* step = "fchmod";
  bool ok = fchmod(fd, mode) == 0 && (step = "ftruncate", ftruncate(fd, static_cast<off_t>(size)) == 0);
  if (ok && size > 0) {
    step = "fallocate";
    // A file system without fallocate (EOPNOTSUPP) cannot reserve; it is not one that fails writes later either.
    ok = fallocate(fd, 0, 0, static_cast<off_t>(size)) == 0 || errno == EOPNOTSUPP;
  }
  if (!ok) {
    int err = errno;
    close(fd);
    unlink(path.c_str());
    ErrnoError(env, err, step, path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return MapFd(env, fd, 0, size, true, path);
}

// open(path, writable): maps the whole of an existing regular file (not through
// a symbolic link: code ELOOP); returns the ArrayBuffer, whose byteLength is the
// file size (0-length files cannot be mapped and are reported as EINVAL by
// mmap, so they are refused here first).
static Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  bool writable = info[1].As<Napi::Boolean>().Value();
  struct stat status;
  int fd = OpenSegmentFile(env, path, writable ? O_RDWR : O_RDONLY, &status);
  if (fd < 0) return env.Undefined();
  if (status.st_size == 0) {
    close(fd);
    return Napi::ArrayBuffer::New(env, 0);
  }
  return MapFd(env, fd, 0, static_cast<size_t>(status.st_size), writable, path);
}

// mapRegion(path, offset, length, writable): a window of a regular file (an
// arena, or a PCI BAR exposed as /sys/bus/pci/devices/*/resource2 inside a VM),
// not through a symbolic link. The offset must be page aligned, as mmap
// requires, and the window must lie inside the file as fstat sees it (code
// ERANGE otherwise): a page past the end would be SIGBUS on first touch.
static Napi::Value MapRegion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  double offset_value = info[1].As<Napi::Number>().DoubleValue();
  double length_value = info[2].As<Napi::Number>().DoubleValue();
  bool writable = info[3].As<Napi::Boolean>().Value();
  struct stat status;
  int fd = OpenSegmentFile(env, path, (writable ? O_RDWR : O_RDONLY) | O_SYNC, &status);
  if (fd < 0) return env.Undefined();
  double size = static_cast<double>(status.st_size);
  long page = sysconf(_SC_PAGESIZE);
  if (!(offset_value >= 0) || !(length_value > 0) || offset_value > size || length_value > size - offset_value ||
      static_cast<int64_t>(offset_value) % page != 0) {
    close(fd);
    Napi::Error error = Napi::Error::New(
        env, "map " + path + ": bytes " + std::to_string(static_cast<int64_t>(offset_value)) + ".." +
                 std::to_string(static_cast<int64_t>(offset_value + length_value)) + " do not lie page aligned in its " +
                 std::to_string(static_cast<int64_t>(size)) + " bytes");
    error.Set("code", Napi::String::New(env, "ERANGE"));
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return MapFd(env, fd, static_cast<size_t>(offset_value), static_cast<size_t>(length_value), writable, path);
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

// mappingGuard(buffer): the slot of the truncation flags (truncation.cc) that marks this mapping, or -1 for a
// buffer that is not a mapping of ours.
static Napi::Value MappingGuard(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> guard(mappings_lock);
  Mapping* mapping = FindMapping(info[0]);
  return Napi::Number::New(info.Env(), mapping == nullptr ? -1 : mapping->guard);
}

// mappedFileBytes(buffer): how many of the mapping's bytes its file still holds (fstat of the file kept open),
// from 0 to the mapping's length; -1 for a buffer that is not a live mapping of ours.
static Napi::Value MappedFileBytes(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> guard(mappings_lock);
  Mapping* mapping = FindMapping(info[0]);
  if (mapping == nullptr) return Napi::Number::New(info.Env(), -1);
  struct stat status;
  if (fstat(mapping->fd, &status) != 0) return Napi::Number::New(info.Env(), 0);
  double held = static_cast<double>(status.st_size) - static_cast<double>(mapping->file_offset);
  if (held < 0) held = 0;
  if (held > static_cast<double>(mapping->length)) held = static_cast<double>(mapping->length);
  return Napi::Number::New(info.Env(), held);
}

void InitMapping(Napi::Env env, Napi::Object exports) {
  exports.Set("mappingGuard", Napi::Function::New(env, MappingGuard, "mappingGuard"));
  exports.Set("mappedFileBytes", Napi::Function::New(env, MappedFileBytes, "mappedFileBytes"));
  exports.Set("create", Napi::Function::New(env, Create, "create"));
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("mapRegion", Napi::Function::New(env, MapRegion, "mapRegion"));
  exports.Set("unmap", Napi::Function::New(env, Unmap, "unmap"));
  exports.Set("unlink", Napi::Function::New(env, Unlink, "unlink"));
}

}  // namespace conflux
