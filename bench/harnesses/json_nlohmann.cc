// Benchmark harness: parses the input as JSON with nlohmann/json (Debian
// nlohmann-json3-dev), exceptions disabled via the allow_exceptions=false overload.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  (void)j.is_discarded();
  return 0;
}
