// Output to the user, for every process: libFuzzer prints everything to stderr, and keeps a
// duplicate of it when -close_fd_mask closes the real one. Printf formats into a stack buffer
// and write()s it in one call, so it is usable from signal handlers and death callbacks.
#pragma once

#include <cstddef>

namespace fuzzer {

// Redirects all Shoal output to fd (the dup of stderr made for -close_fd_mask).
void SetOutputFd(int fd);
int OutputFd();
void Printf(const char* format, ...) __attribute__((format(printf, 1, 2)));
// Writes a string with no formatting (for long or signal-context output).
void RawPrint(const char* text, size_t size);
void RawPrint(const char* text);

}  // namespace fuzzer
