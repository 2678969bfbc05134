// `main` of every fuzz target linked with Shoal (the process the user starts). Weak, so a
// harness with its own main (calling LLVMFuzzerRunDriver) can still link the same archive.
#include <cstddef>
#include <cstdint>

#include "runtime/driver/driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) __attribute__((weak));

extern "C" __attribute__((weak)) int main(int argc, char** argv) {
  return fuzzer::FuzzerDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
