// Weak declarations of the sanitizer runtime functions the engine uses when they exist (the
// role of libFuzzer's ExternalFunctions). Used by the worker and the in-process engine.
// Always reached through these weak symbols, never by a direct call that would need a
// sanitizer at link time: OSS-Fuzz's bad_build_check counts direct calls to __msan_* etc.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
void __sanitizer_print_stack_trace() __attribute__((weak));
int __sanitizer_acquire_crash_state() __attribute__((weak));
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, size_t),
                                              void (*free_hook)(const volatile void*))
    __attribute__((weak));
void __sanitizer_purge_allocator() __attribute__((weak));
void __sanitizer_print_memory_profile(size_t top_percent, size_t max_contexts)
    __attribute__((weak));
void __sanitizer_symbolize_pc(void* pc, const char* fmt, char* out_buf, size_t out_buf_size)
    __attribute__((weak));
void __sanitizer_set_report_fd(void* fd) __attribute__((weak));
void __lsan_enable() __attribute__((weak));
void __lsan_disable() __attribute__((weak));
int __lsan_do_recoverable_leak_check() __attribute__((weak));
void __msan_unpoison(const volatile void* addr, size_t size) __attribute__((weak));
void __msan_unpoison_param(size_t n) __attribute__((weak));
void __msan_scoped_disable_interceptor_checks() __attribute__((weak));
void __msan_scoped_enable_interceptor_checks() __attribute__((weak));
}
