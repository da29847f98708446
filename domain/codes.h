// Administrative division and grid codes (GB/T 2260 + GB/T 10114 + the unit
// grid rule, notes/12345-rules.md §3) and which unit may sit under which.
//
//   city       6 digits ending in 00         370100      (the root of a city-wide hotline)
//   district   6 digits                      370112      (the root, or under its city)
//   street     9 = district + 3              370112002   (001-099 街道, 100-199 镇, 200-399 乡)
//   community 12 = street + 3                370112002001 (001-199 居委会, 200-399 村委会)
//   grid      15 = community + 3 (001-999)   370112002001008
//
// Departments and the hotline centre carry free-form codes: 1-32 ASCII
// letters, digits, '-' or '_'. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/result.h"
#include "domain/types.h"

namespace hotline {

// Checks that `code` is well formed for a unit of `kind`. Errors name the field "code".
Status ValidateUnitCode(UnitKind kind, std::string_view code);

// Checks that a unit of `child_kind` may sit under one of `parent_kind`:
// district under its city (same first 4 digits), street under district,
// community under street, grid under community (never directly under a
// street), department and centre under the city, a district or a department;
// a city has no parent (a district has none when it is the root). Territorial codes must extend the
// parent's code. Also validates the child's code. Errors name the field
// "code" (malformed or not extending the parent) or "parent_code" (wrong kind of parent).
Status ValidateNesting(UnitKind child_kind, std::string_view child_code, UnitKind parent_kind,
                       std::string_view parent_code);

// The code of the parent a territorial unit's code implies: the first 6, 9 or
// 12 digits for a street, community or grid; "" for districts, departments,
// centres and for codes of the wrong length. A district's city is not implied: a
// district may be the root.
std::string ImpliedParentCode(UnitKind kind, std::string_view code);

// Kind implied by a code's length alone: 6 district, 9 street, 12 community, 15 grid (a city's
// 6 digits are given with an explicit kind);
// nullopt for any other length. Does not check the characters (ValidateUnitCode does).
std::optional<UnitKind> KindOfCode(std::string_view code);

}  // namespace hotline
