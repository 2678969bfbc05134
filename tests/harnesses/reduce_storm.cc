// Helper target for the "no corpus file is lost" test: its coverage depends only on how many
// bytes of each of four classes the input holds (loop hit-count buckets), so every feature
// is reached by many tiny inputs. Two workers fuzzing it keep finding, and reducing to, the
// very same bytes, which is what once made one worker's REDUCE delete a file that another
// unit of the corpus still used.
#include <cstddef>
#include <cstdint>

static volatile uint32_t g_sink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  unsigned counts[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < size; i++) {
    switch (data[i] & 3) {
      case 0:
        counts[0]++;
        break;
      case 1:
        counts[1]++;
        break;
      case 2:
        counts[2]++;
        break;
      default:
        counts[3]++;
        break;
    }
  }
  for (unsigned j = 0; j < counts[0]; j++) g_sink = g_sink + 1;
  for (unsigned j = 0; j < counts[1]; j++) g_sink = g_sink + 2;
  for (unsigned j = 0; j < counts[2]; j++) g_sink = g_sink + 3;
  for (unsigned j = 0; j < counts[3]; j++) g_sink = g_sink + 4;
  if (counts[0] > counts[1]) g_sink = g_sink + 5;
  if (counts[2] > counts[3]) g_sink = g_sink + 6;
  return 0;
}
