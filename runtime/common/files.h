// File-system helpers shared by the coordinator and the in-process engine: reading corpus
// files, listing corpus directories recursively, and writing corpus files and artifacts
// atomically (temp file + rename) so nothing is ever left half-written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fuzzer {

using Bytes = std::vector<uint8_t>;

// A regular file and its size when it was listed.
struct SizedFile {
  std::string path;
  size_t size = 0;
};

bool IsDirectory(const std::string& path);
bool IsRegularFile(const std::string& path);
// The size of a regular file; false if path is not one.
bool RegularFileSize(const std::string& path, size_t* size);
// Reads at most max_size bytes (0 = no limit). Returns false if the file cannot be read.
bool ReadFile(const std::string& path, Bytes* out, size_t max_size = 0);
// Writes to a temp file beside path, then renames it over path. Returns false (and removes
// the temp file) on error. The temp file is named ".shoal-tmp.<host>.<pid>.<n>" (host:
// AtomicWriteHostTag()), a name no user file plausibly has and no other process of any
// machine sharing the directory uses, so listings can skip exactly these
// (IsAtomicWriteTempName) and two machines never write into one temp file.
bool WriteFileAtomically(const std::string& path, const uint8_t* data, size_t size);
// Async-signal-safe variant used from crash paths: no allocation, no stdio.
bool WriteFileAtomicallyRaw(const char* path, const uint8_t* data, size_t size);
// Writes into out (capacity bytes) a fresh temp file name beside path, of the form above;
// false if it does not fit. Async-signal-safe.
bool TempPathBesideRaw(const char* path, char* out, size_t capacity);
// write() until all of data is written (EINTR retried); false on error. Async-signal-safe.
bool WriteAllRaw(int fd, const uint8_t* data, size_t size);
// Whether a directory entry's name is a temp file of WriteFileAtomically on any machine (in
// progress, or left behind by a killed process): ".shoal-tmp.<host>.<digits>.<digits>" with
// host made of [A-Za-z0-9_-], or ".shoal-tmp.<digits>.<digits>" (older Shoal), exactly.
bool IsAtomicWriteTempName(const char* name);
// This machine's host name as temp file names carry it: gethostname() read once at start-up,
// every character outside [A-Za-z0-9_-] replaced by '_' ("host" if there is none).
const char* AtomicWriteHostTag();
// Every regular file under dir (symlinks followed), recursively, in sorted order, with its
// size; temp files of WriteFileAtomically are left out. A directory reached twice (a
// symlink to "." or to an ancestor, or two links to one directory) is listed once, so each
// file appears once. Returns false if dir or a directory under it cannot be opened, with
// *error set (when given) to "<strerror>: <path>" for the first one, as libFuzzer words it;
// the rest is still listed.
bool ListFilesRecursively(const std::string& dir, std::vector<SizedFile>* files,
                          std::string* error = nullptr);
// mkdir -p. Returns false if a component cannot be created.
bool MakeDirectories(const std::string& path);
void RemoveFile(const std::string& path);
std::string DirName(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace fuzzer
