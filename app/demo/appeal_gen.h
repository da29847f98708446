// A generator of realistic synthetic 12345 appeals for the demo city and for
// tests: titles and texts in natural Chinese, consistent with a leaf subject of
// the taxonomy, a nature (咨询/求助/投诉/举报/建议/表扬) and an urgency; caller names,
// mobile numbers and resident ID numbers; 小区 names; and the handling unit's
// reply. Deterministic: the same taxonomy, seed and calls give the same output.
// Thread-safety: const methods only; an AppealGenerator may be shared, but each
// thread needs its own std::mt19937_64.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo/demo_content.h"
#include "domain/types.h"

namespace hotline::demo {

// Where the appeal happens. Empty street/community/compound are filled with
// plausible defaults; building/unit/room 0 means "not said".
struct PlaceNames {
  std::string district = "历城区", street, community, compound /*小区*/;
  int building = 0, unit = 0, room = 0;
};

struct GeneratedAppeal {
  std::string title, content;
  Nature nature = Nature::kConsultation;
  Urgency urgency = Urgency::kNormal;
  std::string subject_code;
};

class AppealGenerator {
 public:
  // Keeps a copy of the leaves of `tax` that have text templates.
  explicit AppealGenerator(const Taxonomy& tax);

  // A leaf subject chosen by a realistic frequency (heating/property/noise/traffic
  // common; rare ones rare).
  GeneratedAppeal Generate(std::mt19937_64& rng, const PlaceNames& place) const;
  // REQUIRES: HasTemplates(leaf_code); otherwise the text is a generic one built from the name.
  GeneratedAppeal GenerateFor(std::mt19937_64& rng, const std::string& leaf_code,
                              const PlaceNames& place) const;
  // Same, with the nature chosen by the caller instead of drawn.
  GeneratedAppeal GenerateFor(std::mt19937_64& rng, const std::string& leaf_code,
                              const PlaceNames& place, Nature nature) const;
  // Whether the built-in text templates cover this leaf code.
  static bool HasTemplates(const std::string& leaf_code);
  // The natures the templates of a leaf produce (first = most common).
  static std::vector<Nature> NaturesOf(const std::string& leaf_code);

  std::string CallerName(std::mt19937_64& rng) const;    // weighted common surnames + given names
  static std::string MobilePhone(std::mt19937_64& rng);  // real mainland 3-digit prefixes
  // 18 digits: region + valid birth date (1940-2006) + sequence + GB 11643 check digit.
  // REQUIRES: region is 6 digits.
  static std::string IdNumber(std::mt19937_64& rng, std::string_view region = "370112");
  std::string CompoundName(std::mt19937_64& rng) const;  // plausible 小区 names

  // The unit's reply: what was done and the public reply text, consistent with
  // the appeal; when !resolved, unresolved_reason says why.
  struct ReplyText {
    std::string actions_taken, public_text, unresolved_reason;
  };
  ReplyText Reply(std::mt19937_64& rng, const GeneratedAppeal& a, const std::string& unit_name,
                  bool resolved) const;

  // The GB 11643 check character for the first 17 digits.
  static char IdCheckChar(std::string_view first17);
  // Leaves that Generate() draws from (those with templates), with their weights.
  const std::vector<std::string>& leaves() const { return leaves_; }

 private:
  std::vector<std::string> leaves_;
  std::vector<double> weights_;
  std::vector<std::string> leaf_names_;
  std::vector<std::string> leaf_department_;  // "" unless a department matter
};

// "甸柳社区居民委员会" -> "甸柳社区", "老峪村村民委员会" -> "老峪村", "大庄村民委员会" -> "大庄村".
std::string ShortCommunityName(std::string_view name);

}  // namespace hotline::demo
