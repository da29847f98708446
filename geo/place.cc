#include "geo/place.h"

#include <algorithm>

namespace hotline::geo {

const Place* PlaceSet::Find(std::string_view code) const {
  auto it = std::lower_bound(places.begin(), places.end(), code,
                             [](const Place& p, std::string_view c) { return p.code < c; });
  return it != places.end() && it->code == code ? &*it : nullptr;
}

Place* PlaceSet::Find(std::string_view code) {
  return const_cast<Place*>(static_cast<const PlaceSet*>(this)->Find(code));
}

void PlaceSet::SortByCode() {
  std::sort(places.begin(), places.end(),
            [](const Place& a, const Place& b) { return a.code < b.code; });
}

}  // namespace hotline::geo
