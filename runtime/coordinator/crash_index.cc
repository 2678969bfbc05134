// Implements crash_index.h: the unique-crash index (a quoted CSV), kept by the coordinator.
#include "runtime/coordinator/crash_index.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/common/files.h"
#include "runtime/common/log.h"

namespace fuzzer {
namespace {

constexpr char kHeader[] =
    "first_seen_unix,kind,signature,artifact,artifact_size,minimized,minimized_size,exit_code,"
    "target";
constexpr size_t kNumColumns = 9;

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string Quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Splits RFC 4180 text into rows of fields; false on an unterminated quote.
bool SplitCsv(const std::string& text, std::vector<std::vector<std::string>>* rows) {
  rows->clear();
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        i++;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    any = true;
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows->push_back(std::move(row));
      row.clear();
      any = false;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (quoted) return false;
  if (any) {
    row.push_back(std::move(field));
    rows->push_back(std::move(row));
  }
  return true;
}

bool ParseSize(const std::string& text, size_t* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long parsed = strtoull(text.c_str(), &end, 10);
  if (errno || *end || text[0] == '-') return false;
  *value = size_t(parsed);
  return true;
}

}  // namespace

const char* CrashIndex::Header() { return kHeader; }

CrashIndex::CrashIndex(std::string path) : path_(std::move(path)) {}

std::string CrashIndex::Format(const std::vector<CrashRecord>& records) {
  std::string text = std::string(kHeader) + "\n";
  for (const CrashRecord& r : records) {
    text += Quote(r.first_seen_unix) + "," + Quote(r.kind) + "," + Quote(r.signature) + "," +
            Quote(r.artifact) + "," + std::to_string(r.artifact_size) + "," +
            Quote(r.minimized) + "," + std::to_string(r.minimized_size) + "," +
            std::to_string(r.exit_code) + "," + Quote(r.target) + "\n";
  }
  return text;
}

bool CrashIndex::Parse(const std::string& text, std::vector<CrashRecord>* records) {
  std::vector<std::vector<std::string>> rows;
  if (!SplitCsv(text, &rows) || rows.empty()) return false;
  std::vector<std::vector<std::string>> header_rows;
  SplitCsv(std::string(kHeader) + "\n", &header_rows);
  if (rows[0] != header_rows[0]) return false;
  records->clear();
  for (size_t i = 1; i < rows.size(); i++) {
    const std::vector<std::string>& f = rows[i];
    if (f.size() != kNumColumns) return false;
    CrashRecord r;
    r.first_seen_unix = f[0];
    r.kind = f[1];
    r.signature = f[2];
    r.artifact = f[3];
    r.minimized = f[5];
    r.target = f[8];
    size_t exit_code = 0;
    if (!ParseSize(f[4], &r.artifact_size) || !ParseSize(f[6], &r.minimized_size) ||
        !ParseSize(f[7], &exit_code))
      return false;
    r.exit_code = int(exit_code);
    records->push_back(std::move(r));
  }
  return true;
}

void CrashIndex::Load() {
  if (loaded_) return;
  loaded_ = true;
  Bytes data;
  if (!IsRegularFile(path_) || !ReadFile(path_, &data) || data.empty()) return;
  if (!Parse(std::string(data.begin(), data.end()), &records_)) {
    records_.clear();
    disabled_ = true;
    Printf("WARNING: '%s' is not a Shoal crash index; it is left alone and unique crashes are "
           "not indexed in this run\n",
           path_.c_str());
  }
}

const std::vector<CrashRecord>& CrashIndex::records() {
  Load();
  return records_;
}

void CrashIndex::Save() {
  if (disabled_) return;
  std::string text = Format(records_);
  if (WriteFileAtomically(path_, reinterpret_cast<const uint8_t*>(text.data()), text.size()))
    return;
  if (!warned_)
    Printf("WARNING: cannot write the crash index '%s' (%s) (this warning is not repeated)\n",
           path_.c_str(), strerror(errno));
  warned_ = true;
}

bool CrashIndex::Add(const CrashRecord& record) {
  Load();
  if (disabled_) return false;
  for (const CrashRecord& known : records_)
    if (known.signature == record.signature) return false;
  records_.push_back(record);
  Save();
  return true;
}

void CrashIndex::SetMinimized(const std::string& artifact, const std::string& minimized,
                              size_t size) {
  Load();
  for (CrashRecord& known : records_) {
    if (known.artifact != artifact) continue;
    known.minimized = minimized;
    known.minimized_size = size;
    Save();
    return;
  }
}

}  // namespace fuzzer
