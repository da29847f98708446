// Internal to the appeal generator: the built-in text material for every leaf
// subject of the demo taxonomy (data/demo/taxonomy.json). Thread-safety:
// immutable static data.
#pragma once

#include <string_view>
#include <vector>

namespace hotline::demo::internal {

// Slots usable in facts/ask/question/fix: {dur} 近一周, {time} 每晚十点后,
// {times} 多次, {road} a road name, {brand} a shop brand, {bldg} 3号楼,
// {unit} 2单元, {compound} the 小区, {community}, {street}.
struct LeafTemplate {
  std::string_view code;
  int weight;                // relative frequency among appeals
  std::string_view natures;  // Q consultation, H help, C complaint, R report, S suggestion,
                             // P praise; the first letter is the most common
  char scope;                // where: h home, c compound, r road/shop, v village, p policy/person
  char urgency;              // usual urgency: n normal, u urgent, c critical
  std::string_view issue;    // short noun phrase for titles
  // What the caller describes, without the place; a leading "+" marks a
  // positive fact, used only for praise.
  std::vector<std::string_view> facts;
  std::string_view ask;       // what the caller wants done (a verb phrase)
  std::string_view question;  // what a consultation asks (no question mark)
  std::string_view fix;       // what the unit did when it resolved the matter
};

const std::vector<LeafTemplate>& LeafTemplates();
const LeafTemplate* FindLeafTemplate(std::string_view code);

}  // namespace hotline::demo::internal
