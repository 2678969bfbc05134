// Benchmark harness: parses the input as JSON with RapidJSON (Debian rapidjson-dev),
// kParseDefaultFlags, using the length-taking Parse overload (no NUL needed).
#include <cstddef>
#include <cstdint>

#include <rapidjson/document.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseDefaultFlags>(reinterpret_cast<const char*>(data), size);
  (void)d.HasParseError();
  return 0;
}
