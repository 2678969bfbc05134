// String/memory comparison interceptors for builds without ASan/MSan/TSan (e.g. UBSan only or
// no sanitizer), so memcmp/strcmp/strstr operands still reach the CMP mutator: the role of
// libFuzzer's fuzzer_interceptors library. Runs in the worker and the in-process engine.
//
// When a sanitizer already intercepts the function (its __interceptor_X exists), we forward to
// it: it keeps its own checks and calls the weak hooks itself. Otherwise we call libc's
// function (found with dlsym(RTLD_NEXT)) and then the hook. Hand-written by necessity.
#include <dlfcn.h>

#include <cstddef>
#include <cstdint>

#define SHOAL_CALLER_PC() __builtin_return_address(0)
#define SHOAL_INTERFACE extern "C" __attribute__((visibility("default")))

extern "C" {
void __sanitizer_weak_hook_memcmp(void*, const void*, const void*, size_t, int);
void __sanitizer_weak_hook_strncmp(void*, const char*, const char*, size_t, int);
void __sanitizer_weak_hook_strcmp(void*, const char*, const char*, int);
void __sanitizer_weak_hook_strncasecmp(void*, const char*, const char*, size_t, int);
void __sanitizer_weak_hook_strcasecmp(void*, const char*, const char*, int);
void __sanitizer_weak_hook_strstr(void*, const char*, const char*, char*);
void __sanitizer_weak_hook_strcasestr(void*, const char*, const char*, char*);
void __sanitizer_weak_hook_memmem(void*, const void*, size_t, const void*, size_t, void*);

// Present when a sanitizer runtime with interceptors is linked.
int __interceptor_memcmp(const void*, const void*, size_t) __attribute__((weak));
int __interceptor_bcmp(const void*, const void*, size_t) __attribute__((weak));
int __interceptor_strncmp(const char*, const char*, size_t) __attribute__((weak));
int __interceptor_strcmp(const char*, const char*) __attribute__((weak));
int __interceptor_strncasecmp(const char*, const char*, size_t) __attribute__((weak));
int __interceptor_strcasecmp(const char*, const char*) __attribute__((weak));
char* __interceptor_strstr(const char*, const char*) __attribute__((weak));
char* __interceptor_strcasestr(const char*, const char*) __attribute__((weak));
void* __interceptor_memmem(const void*, size_t, const void*, size_t) __attribute__((weak));
}

namespace fuzzer {
namespace {

template <class Fn>
Fn ResolveNext(const char* name, Fn* cache) {
  Fn fn = __atomic_load_n(cache, __ATOMIC_RELAXED);
  if (!fn) {
    fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
    __atomic_store_n(cache, fn, __ATOMIC_RELAXED);
  }
  return fn;
}

int LowerByte(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// Only a comparison's sign is what the C standard promises, and the size of glibc's depends on
// where the buffers lie: the same bytes gave -26 in one process and -1 in another (its vector
// paths differ near a page end). A target's `memcmp(...) == 0` is traced as a compare of 0
// with that result, so the CMP tables, and with them the search, differed between -workers=0
// and -workers=1 with one -seed (InputToState.OneWorkerAndInProcessTakeTheSamePath, with some
// argument counts). Every comparison below returns -1, 0 or 1.
int Sign(int result) { return (result > 0) - (result < 0); }

// Used only if libc's function cannot be resolved (very early calls during dlsym itself).
int PlainMemcmp(const void* a, const void* b, size_t n) {
  const uint8_t* x = static_cast<const uint8_t*>(a);
  const uint8_t* y = static_cast<const uint8_t*>(b);
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

int PlainStrncmp(const char* a, const char* b, size_t n, bool ignore_case) {
  for (size_t i = 0; i < n; i++) {
    int x = static_cast<uint8_t>(a[i]), y = static_cast<uint8_t>(b[i]);
    if (ignore_case) {
      x = LowerByte(x);
      y = LowerByte(y);
    }
    if (x != y) return x < y ? -1 : 1;
    if (!x) return 0;
  }
  return 0;
}

}  // namespace
}  // namespace fuzzer

using namespace fuzzer;

SHOAL_INTERFACE int memcmp(const void* a, const void* b, size_t n) {
  if (&__interceptor_memcmp) return Sign(__interceptor_memcmp(a, b, n));
  using Fn = int (*)(const void*, const void*, size_t);
  static Fn real;
  Fn fn = ResolveNext("memcmp", &real);
  int result = fn ? fn(a, b, n) : PlainMemcmp(a, b, n);
  __sanitizer_weak_hook_memcmp(SHOAL_CALLER_PC(), a, b, n, result);
  return Sign(result);
}

SHOAL_INTERFACE int bcmp(const void* a, const void* b, size_t n) {
  if (&__interceptor_bcmp) return Sign(__interceptor_bcmp(a, b, n));
  int result = PlainMemcmp(a, b, n);
  __sanitizer_weak_hook_memcmp(SHOAL_CALLER_PC(), a, b, n, result);
  return Sign(result);
}

SHOAL_INTERFACE int strncmp(const char* a, const char* b, size_t n) {
  if (&__interceptor_strncmp) return Sign(__interceptor_strncmp(a, b, n));
  using Fn = int (*)(const char*, const char*, size_t);
  static Fn real;
  Fn fn = ResolveNext("strncmp", &real);
  int result = fn ? fn(a, b, n) : PlainStrncmp(a, b, n, false);
  __sanitizer_weak_hook_strncmp(SHOAL_CALLER_PC(), a, b, n, result);
  return Sign(result);
}

SHOAL_INTERFACE int strcmp(const char* a, const char* b) {
  if (&__interceptor_strcmp) return Sign(__interceptor_strcmp(a, b));
  using Fn = int (*)(const char*, const char*);
  static Fn real;
  Fn fn = ResolveNext("strcmp", &real);
  int result = fn ? fn(a, b) : PlainStrncmp(a, b, SIZE_MAX, false);
  __sanitizer_weak_hook_strcmp(SHOAL_CALLER_PC(), a, b, result);
  return Sign(result);
}

SHOAL_INTERFACE int strncasecmp(const char* a, const char* b, size_t n) {
  if (&__interceptor_strncasecmp) return Sign(__interceptor_strncasecmp(a, b, n));
  using Fn = int (*)(const char*, const char*, size_t);
  static Fn real;
  Fn fn = ResolveNext("strncasecmp", &real);
  int result = fn ? fn(a, b, n) : PlainStrncmp(a, b, n, true);
  __sanitizer_weak_hook_strncasecmp(SHOAL_CALLER_PC(), a, b, n, result);
  return Sign(result);
}

SHOAL_INTERFACE int strcasecmp(const char* a, const char* b) {
  if (&__interceptor_strcasecmp) return Sign(__interceptor_strcasecmp(a, b));
  using Fn = int (*)(const char*, const char*);
  static Fn real;
  Fn fn = ResolveNext("strcasecmp", &real);
  int result = fn ? fn(a, b) : PlainStrncmp(a, b, SIZE_MAX, true);
  __sanitizer_weak_hook_strcasecmp(SHOAL_CALLER_PC(), a, b, result);
  return Sign(result);
}

SHOAL_INTERFACE char* strstr(const char* haystack, const char* needle) {
  if (&__interceptor_strstr) return __interceptor_strstr(haystack, needle);
  using Fn = char* (*)(const char*, const char*);
  static Fn real;
  Fn fn = ResolveNext("strstr", &real);
  char* result = fn(haystack, needle);
  __sanitizer_weak_hook_strstr(SHOAL_CALLER_PC(), haystack, needle, result);
  return result;
}

SHOAL_INTERFACE char* strcasestr(const char* haystack, const char* needle) {
  if (&__interceptor_strcasestr) return __interceptor_strcasestr(haystack, needle);
  using Fn = char* (*)(const char*, const char*);
  static Fn real;
  Fn fn = ResolveNext("strcasestr", &real);
  char* result = fn(haystack, needle);
  __sanitizer_weak_hook_strcasestr(SHOAL_CALLER_PC(), haystack, needle, result);
  return result;
}

SHOAL_INTERFACE void* memmem(const void* haystack, size_t haystack_size, const void* needle,
                             size_t needle_size) {
  if (&__interceptor_memmem)
    return __interceptor_memmem(haystack, haystack_size, needle, needle_size);
  using Fn = void* (*)(const void*, size_t, const void*, size_t);
  static Fn real;
  Fn fn = ResolveNext("memmem", &real);
  void* result = fn(haystack, haystack_size, needle, needle_size);
  __sanitizer_weak_hook_memmem(SHOAL_CALLER_PC(), haystack, haystack_size, needle, needle_size,
                               result);
  return result;
}
