// Helper target that links the full libprotobuf itself (-lprotobuf) and uses the
// well-known types google::protobuf::Timestamp and Any, with reflection. The
// runtime folds protobuf-lite into its archive, so this checks that a harness's
// own protobuf still links, registers its descriptors and runs. No planted bug:
// any failed round trip aborts.
#include <google/protobuf/any.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  google::protobuf::Timestamp ts;
  int64_t seconds = 0;
  memcpy(&seconds, data, size < sizeof(seconds) ? size : sizeof(seconds));
  ts.set_seconds(seconds);
  const int32_t nanos = static_cast<int32_t>(size) + 1;  // never all-default
  ts.set_nanos(nanos);

  google::protobuf::Any any;
  if (!any.PackFrom(ts)) abort();
  std::string wire;
  if (!any.SerializeToString(&wire)) abort();

  google::protobuf::Any any2;
  google::protobuf::Timestamp ts2;
  if (!any2.ParseFromString(wire) || !any2.UnpackTo(&ts2)) abort();
  if (ts2.seconds() != seconds || ts2.nanos() != nanos) abort();
  // Reflection/descriptor pool (full protobuf only).
  if (ts2.GetDescriptor()->full_name() != "google.protobuf.Timestamp") abort();
  if (ts2.ShortDebugString().find("nanos: ") == std::string::npos) abort();

  // Parsing arbitrary bytes must not crash either.
  google::protobuf::Any fuzzed;
  (void)fuzzed.ParseFromArray(data, static_cast<int>(size));
  return 0;
}
