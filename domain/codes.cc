#include "domain/codes.h"

#include <algorithm>

namespace hotline {
namespace {

constexpr std::size_t kDistrictLen = 6;
constexpr std::size_t kStreetLen = 9;
constexpr std::size_t kCommunityLen = 12;
constexpr std::size_t kGridLen = 15;
constexpr std::size_t kMaxFreeCodeLen = 32;

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int ThreeDigits(std::string_view s, std::size_t at) {
  return (s[at] - '0') * 100 + (s[at + 1] - '0') * 10 + (s[at + 2] - '0');
}

std::size_t TerritorialLength(UnitKind kind) {
  switch (kind) {
    case UnitKind::kDistrict:
    case UnitKind::kCity:
      return kDistrictLen;
    case UnitKind::kStreet:
      return kStreetLen;
    case UnitKind::kCommunity:
      return kCommunityLen;
    case UnitKind::kGrid:
      return kGridLen;
    default:
      return 0;
  }
}

std::string Quoted(std::string_view code) { return "'" + std::string(code) + "'"; }

Status ValidateFreeCode(UnitKind kind, std::string_view code) {
  const std::string what(ToString(kind));
  if (code.empty()) return Invalid("code", what + " code must not be empty");
  if (code.size() > kMaxFreeCodeLen)
    return Invalid(
        "code", what + " code must be at most 32 characters, got " + std::to_string(code.size()));
  for (char c : code) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_';
    if (!ok)
      return Invalid("code", what + " code " + Quoted(code) +
                                 " may contain only ASCII letters, digits, '-' and '_'");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateUnitCode(UnitKind kind, std::string_view code) {
  switch (kind) {
    case UnitKind::kDepartment:
    case UnitKind::kCenter:
      return ValidateFreeCode(kind, code);
    case UnitKind::kCity:
      if (code.size() != kDistrictLen || !AllDigits(code) || code[0] == '0' ||
          code.substr(4) != "00")
        return Invalid("code",
                       "city code must be 6 digits ending in 00 (GB/T 2260, e.g. 370100), got " +
                           Quoted(code));
      if (code.substr(2) == "0000")
        return Invalid("code", "city code " + Quoted(code) +
                                   " ends in 0000, which denotes a province, not a city");
      return Status::Ok();
    case UnitKind::kDistrict:
      if (code.size() != kDistrictLen || !AllDigits(code) || code[0] == '0')
        return Invalid(
            "code", "district code must be 6 digits (GB/T 2260, e.g. 370112), got " + Quoted(code));
      if (code.substr(4) == "00")
        return Invalid("code", "district code " + Quoted(code) +
                                   " ends in 00, which denotes a city or province, not a district");
      return Status::Ok();
    case UnitKind::kStreet: {
      if (code.size() != kStreetLen || !AllDigits(code) || code[0] == '0')
        return Invalid("code",
                       "street code must be 9 digits (district code + 3), got " + Quoted(code));
      int seq = ThreeDigits(code, kDistrictLen);
      if (seq < 1 || seq > 399)
        return Invalid("code", "street code " + Quoted(code) +
                                   " must end in 001-099 (街道), 100-199 (镇) or 200-399 (乡)");
      return ValidateUnitCode(UnitKind::kDistrict, code.substr(0, kDistrictLen));
    }
    case UnitKind::kCommunity: {
      if (code.size() != kCommunityLen || !AllDigits(code) || code[0] == '0')
        return Invalid("code",
                       "community code must be 12 digits (street code + 3), got " + Quoted(code));
      int seq = ThreeDigits(code, kStreetLen);
      if (seq < 1 || seq > 399)
        return Invalid("code", "community code " + Quoted(code) +
                                   " must end in 001-199 (居委会) or 200-399 (村委会)");
      return ValidateUnitCode(UnitKind::kStreet, code.substr(0, kStreetLen));
    }
    case UnitKind::kGrid: {
      if (code.size() != kGridLen || !AllDigits(code) || code[0] == '0')
        return Invalid("code",
                       "grid code must be 15 digits (community code + 3), got " + Quoted(code));
      if (ThreeDigits(code, kCommunityLen) == 0)
        return Invalid("code", "grid code " + Quoted(code) +
                                   " must end in a sequence number 001-999, not 000");
      return ValidateUnitCode(UnitKind::kCommunity, code.substr(0, kCommunityLen));
    }
  }
  return Invalid("code", "unknown unit kind");
}

Status ValidateNesting(UnitKind child_kind, std::string_view child_code, UnitKind parent_kind,
                       std::string_view parent_code) {
  const std::string child(ToString(child_kind));
  const std::string parent(ToString(parent_kind));
  auto wrong_parent = [&](std::string_view allowed) {
    return Invalid("parent_code", "a " + child + " must sit under " + std::string(allowed) +
                                      ", not under a " + parent + " (" + Quoted(parent_code) + ")");
  };
  switch (child_kind) {
    case UnitKind::kCity:
      return Invalid("parent_code", "a city is the root of the organisation and has no parent");
    case UnitKind::kDistrict:
      if (parent_kind != UnitKind::kCity)
        return Invalid("parent_code",
                       "a district sits only under its city (or is the root), not under a " +
                           parent + " (" + Quoted(parent_code) + ")");
      HOTLINE_RETURN_IF_ERROR(ValidateUnitCode(UnitKind::kDistrict, child_code));
      if (parent_code.size() != kDistrictLen || child_code.substr(0, 4) != parent_code.substr(0, 4))
        return Invalid("code", "district code " + Quoted(child_code) +
                                   " does not belong to the city " + Quoted(parent_code) +
                                   " (its first 4 digits must be the city's)");
      return Status::Ok();
    case UnitKind::kDepartment:
    case UnitKind::kCenter:
      if (parent_kind != UnitKind::kDistrict && parent_kind != UnitKind::kDepartment &&
          parent_kind != UnitKind::kCity)
        return wrong_parent("the city, a district or a department");
      return ValidateUnitCode(child_kind, child_code);
    case UnitKind::kStreet:
    case UnitKind::kCommunity:
    case UnitKind::kGrid:
      break;
  }
  UnitKind expected = child_kind == UnitKind::kStreet      ? UnitKind::kDistrict
                      : child_kind == UnitKind::kCommunity ? UnitKind::kStreet
                                                           : UnitKind::kCommunity;
  if (parent_kind != expected) {
    if (child_kind == UnitKind::kGrid && parent_kind == UnitKind::kStreet)
      return Invalid("parent_code",
                     "a grid must belong to a community, never directly to a street (" +
                         Quoted(parent_code) + ")");
    return wrong_parent("a " + std::string(ToString(expected)));
  }
  std::size_t len = TerritorialLength(child_kind);
  if (child_code.size() != len || !AllDigits(child_code) || parent_code.size() != len - 3 ||
      child_code.substr(0, parent_code.size()) != parent_code) {
    return Invalid("code", child + " code must be " + std::to_string(len) +
                               " digits and start with its " + parent + "'s code " +
                               std::string(parent_code) + ", got " + Quoted(child_code));
  }
  return ValidateUnitCode(child_kind, child_code);
}

std::string ImpliedParentCode(UnitKind kind, std::string_view code) {
  std::size_t len = TerritorialLength(kind);
  if (kind == UnitKind::kDistrict || kind == UnitKind::kCity || len == 0 || code.size() != len)
    return "";
  return std::string(code.substr(0, len - 3));
}

std::optional<UnitKind> KindOfCode(std::string_view code) {
  switch (code.size()) {
    case 6:
      return UnitKind::kDistrict;
    case 9:
      return UnitKind::kStreet;
    case 12:
      return UnitKind::kCommunity;
    case 15:
      return UnitKind::kGrid;
    default:
      return std::nullopt;
  }
}

}  // namespace hotline
