// Example fuzz target for the README's quick start: a small type-length-value record parser
// with a planted bug. A record is "TLV1" + 1-byte type + 2-byte little-endian length + value;
// for type 0x42 the parser copies the value into a fixed 16-byte buffer after checking the
// length against the *input* size only, so a long enough value overflows the stack buffer
// (AddressSanitizer: stack-buffer-overflow). Build with -fsanitize=fuzzer-no-link,address and
// link with Shoal's libshoal.a (see examples/fuzz_example.sh).
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

// Where results go, so the optimiser cannot drop the parsing as dead code.
volatile int checksum_sink;

struct Record {
  uint8_t type;
  uint16_t length;
  const uint8_t* value;
};

bool ParseRecord(const uint8_t* data, size_t size, Record* record) {
  if (size < 7 || memcmp(data, "TLV1", 4) != 0) return false;
  record->type = data[4];
  record->length = uint16_t(data[5] | data[6] << 8);
  if (size - 7 < record->length) return false;
  record->value = data + 7;
  return true;
}

int Checksum(const Record& record) {
  char name[16];
  int sum = 0;
  switch (record.type) {
    case 0x01:  // integer
      for (size_t i = 0; i < record.length; i++) sum = sum * 31 + record.value[i];
      return sum;
    case 0x42:  // name: BUG, length is not checked against sizeof(name)
      memcpy(name, record.value, record.length);
      for (size_t i = 0; i < record.length; i++) sum += name[i];
      return sum;
    default:
      return 0;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Record record;
  if (ParseRecord(data, size, &record)) checksum_sink = Checksum(record);
  return 0;
}
