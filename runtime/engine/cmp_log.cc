// Implements cmp_log.h. Worker / in-process engine; NewEntry runs inside the trace-cmp
// callbacks (no allocation, no locks).
#include "runtime/engine/cmp_log.h"

namespace fuzzer {

void CmpLog::Start(Mode mode, uintptr_t target_site) {
  num_entries_ = 0;
  target_site_ = target_site;
  if (++generation_ == 0) {  // wrapped: old stamps could look current
    memset(slots_, 0, sizeof(slots_));
    generation_ = 1;
  }
  mode_ = mode;
}

CmpLogEntry* CmpLog::NewEntry(uintptr_t site) {
  if (mode_ == Mode::kTarget && site != target_site_) return nullptr;
  if (mode_ == Mode::kWatched) {
    size_t bit = WatchBit(site);
    if (!(watch_[bit / 64] & (uint64_t(1) << (bit % 64)))) return nullptr;
  }
  if (num_entries_ == kMaxEntries) return nullptr;
  // Count this site's hits; a full table (more than kSiteSlots sites in one run) stops
  // logging new sites rather than miscounting.
  const size_t home = size_t((site * 0x9E3779B97F4A7C15ull) >> 51);  // 13 bits: kSiteSlots
  SiteSlot* slot = nullptr;
  for (size_t probe = 0; probe < kSiteSlots; probe++) {
    SiteSlot& candidate = slots_[(home + probe) % kSiteSlots];
    if (candidate.generation != generation_) {
      candidate = SiteSlot{site, generation_, 0};
      slot = &candidate;
      break;
    }
    if (candidate.site == site) {
      slot = &candidate;
      break;
    }
  }
  if (!slot || slot->hits >= kMaxHitsPerSite) return nullptr;
  CmpLogEntry* entry = &entries_[num_entries_++];
  entry->site = site;
  entry->hit = slot->hits++;
  return entry;
}

}  // namespace fuzzer
