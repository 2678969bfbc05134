// Benchmark harness: decodes the input with stb_image (Debian libstb-dev,
// /usr/include/stb/stb_image.h), all formats enabled, capped at 4 Mpixel.
#include <cstddef>
#include <cstdint>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 2048
#include <stb/stb_image.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;
  int x = 0, y = 0, channels = 0;
  unsigned char* img =
      stbi_load_from_memory(data, static_cast<int>(size), &x, &y, &channels, 0);
  if (img) stbi_image_free(img);
  return 0;
}
