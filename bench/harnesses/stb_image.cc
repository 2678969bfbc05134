// Benchmark harness: decodes the input with stb_image (Debian libstb-dev,
// /usr/include/stb/stb_image.h), all formats enabled. Dimensions are capped at 256 so
// one execution stays cheap: with the default cap (1<<24) a tiny TGA header makes stb
// fill a multi-megapixel image, and execs/s then measures memset, not the engine.
#include <cstddef>
#include <cstdint>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 256
#include <stb/stb_image.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;
  int x = 0, y = 0, channels = 0;
  unsigned char* img =
      stbi_load_from_memory(data, static_cast<int>(size), &x, &y, &channels, 0);
  if (img) stbi_image_free(img);
  return 0;
}
