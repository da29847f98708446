// An address gazetteer: resolves address text as a caller says it
// ("历城区洪家楼街道洪家楼南区3号楼", "洪家樓南區", "山大路甸柳") to ranked
// candidate places — street, community, grid, residential compound (小区),
// building or landmark — each with the street/community/grid codes it
// belongs to.
//
// Matching (docs/place.md):
//   - text is normalised: traditional → simplified (a table of common
//     place-name characters), full-width → ASCII, ASCII lower-cased,
//     whitespace and punctuation dropped;
//   - every name and alias is indexed as given and with its administrative
//     suffixes dropped (街道办事处/街道/镇/乡, 社区居民委员会/居民委员会/
//     村民委员会/居委会/村委会/社区/村, 小区), down to 2 characters;
//   - names of ≥ 3 characters also match with one typo (Levenshtein distance
//     1: a wrong, missing or extra character), at a lower score, in parts of
//     the text no exact name covers;
//   - a match inside a longer match is dropped ("洪家楼" inside "洪家楼南区");
//   - a candidate's score (0..1) grows with the quality and length of its
//     match and with matched ancestors (the street or community it lies in);
//     an explicitly named street or community it does not lie in lowers it.
//     Ancestors of a more specific match fold into it.
// Ambiguous or unknown text never yields a guessed grid: `resolved()` is
// true only for one clear winner (no rival within 0.15, score ≥ 0.5), and
// even then `grid_code` is set only when the place lies in one grid.
//
// Thread-safety: build (Add, AddDivisions, FromCsv) on one thread; Resolve
// is const and may then run on many threads at once.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"
#include "geo/coords.h"
#include "geo/place.h"

namespace hotline::geo {

enum class EntryKind { kStreet, kCommunity, kGrid, kCompound, kBuilding, kLandmark };
// "street", "community", "grid", "compound", "building", "landmark" (or 街道,
// 社区, 网格, 小区, 楼栋, 地标).
std::optional<EntryKind> ParseEntryKind(std::string_view name);
std::string_view EntryKindName(EntryKind kind);

struct GazetteerEntry {
  std::string name;
  EntryKind kind = EntryKind::kLandmark;
  std::vector<std::string> aliases;
  std::string street_code;         // 9 digits; required
  std::string community_code;      // 12 digits extending street_code; "" for a street
  std::string grid_code;           // 15 digits extending community_code; "" when not one grid
  std::optional<LonLat> location;  // WGS-84
};

struct AddressCandidate {
  const GazetteerEntry* entry = nullptr;  // points into the gazetteer
  double score = 0;                       // 0..1
  std::string matched;                    // the text that matched (normalised)
  bool fuzzy = false;                     // matched with one typo
};

struct AddressMatch {
  std::vector<AddressCandidate> candidates;  // best first; empty: unknown
  bool ambiguous = false;                    // several candidates are close, or the best is weak
  std::string detail;  // building / unit / room text after the place ("3号楼"), normalised
  bool unknown() const { return candidates.empty(); }
  // One clear candidate: the place to use. Otherwise the agent picks.
  const AddressCandidate* resolved() const {
    return !ambiguous && !candidates.empty() ? &candidates.front() : nullptr;
  }
};

class Gazetteer {
 public:
  Gazetteer();
  ~Gazetteer();
  Gazetteer(Gazetteer&&) noexcept;
  Gazetteer& operator=(Gazetteer&&) noexcept;

  // Validates (name non-empty, codes well formed and nested) and indexes.
  Status Add(GazetteerEntry entry);
  // Adds the streets, communities and grids of `units` (other kinds ignored),
  // located at their shape's centroid when `shapes` has them.
  Status AddDivisions(std::span<const Unit> units, const PlaceSet* shapes = nullptr);

  // CSV with a header: name,kind,aliases,street_code,community_code,grid_code,lon,lat
  // (aliases separated by '|'; lon/lat WGS-84, both empty or both set;
  // fields may be "quoted"). All rows are checked; on any error nothing is
  // added and the status lists every bad row ("line 7: grid_code: ...").
  Status ImportCsv(std::string_view csv);

  // Adds entries already checked by ParseGazetteerCsv / GazetteerFromJson
  // (checked again; an invalid one stops the add and nothing is added).
  Status AddAll(std::vector<GazetteerEntry> entries);

  AddressMatch Resolve(std::string_view address, size_t max_candidates = 5) const;

  size_t size() const;
  const GazetteerEntry& entry(size_t i) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One bad CSV row: `line` is the 1-based line of the text (the header is
// line 1), `field` one of the header's columns ("lon", "grid_code", ...) or
// "csv" for the document itself.
struct GazetteerRowError {
  int line = 0;
  std::string name;  // the row's name, for the message
  std::string field;
  std::string message;
  std::string ToString() const;  // "line 7 (name): grid_code: message"
};

// Parses and checks a gazetteer CSV (header name,kind,aliases,street_code,
// community_code,grid_code,lon,lat; aliases '|'-separated; lon/lat WGS-84,
// both empty or both set). Every bad row is reported in `errors` (with each
// of its problems); the rows that passed are returned either way, so callers
// can check them further — all or nothing is the caller's rule: use them only
// when `errors` is empty.
// `lines`, when given, receives each returned entry's line number.
std::vector<GazetteerEntry> ParseGazetteerCsv(std::string_view csv,
                                              std::vector<GazetteerRowError>* errors,
                                              std::vector<int>* lines = nullptr);
// The entries as CSV in the same format (round-trips through ParseGazetteerCsv).
std::string GazetteerToCsv(std::span<const GazetteerEntry> entries);
// Entries as a JSON document {"entries":[{name,kind,aliases,street_code,
// community_code,grid_code,lon,lat}]} (the store keeps imported entries so).
std::string GazetteerToJson(std::span<const GazetteerEntry> entries);
Result<std::vector<GazetteerEntry>> GazetteerFromJson(std::string_view json);

// The normalisation used for matching, as UTF-8 (exposed for tests and for
// callers that want to show what was matched).
std::string NormalizePlaceText(std::string_view text);

}  // namespace hotline::geo
