#include "geo/grid_index.h"

#include <boost/geometry/index/rtree.hpp>

namespace hotline::geo {
namespace bgi = boost::geometry::index;

namespace {
using Entry = std::pair<Box, std::uint32_t>;  // envelope, index into Impl::places
using Tree = bgi::rtree<Entry, bgi::rstar<16>>;
}  // namespace

struct GridIndex::Impl {
  PlaceSet places;                   // sorted by code
  std::vector<std::int32_t> parent;  // index of the implied parent place, -1 if absent
  Tree grids, communities, streets;

  // Lowest-coded place of `tree` covering `pt`; -1 if none. Places are
  // sorted by code, so the lowest index is the lowest code.
  std::int32_t Lowest(const Tree& tree, const Point& pt) const {
    std::int32_t best = -1;
    for (auto it = tree.qbegin(bgi::intersects(pt)); it != tree.qend(); ++it) {
      std::int32_t i = static_cast<std::int32_t>(it->second);
      if (best >= 0 && i > best) continue;
      if (bg::covered_by(pt, places.places[static_cast<size_t>(i)].shape)) best = i;
    }
    return best;
  }
  const Place* At(std::int32_t i) const {
    return i < 0 ? nullptr : &places.places[static_cast<size_t>(i)];
  }
};

GridIndex::GridIndex(const PlaceSet& places) : impl_(std::make_unique<Impl>()) {
  for (const Place& p : places.places)
    if (p.kind == UnitKind::kGrid || p.kind == UnitKind::kCommunity || p.kind == UnitKind::kStreet)
      impl_->places.places.push_back(p);
  impl_->places.SortByCode();
  std::vector<Entry> g, c, s;
  const auto& ps = impl_->places.places;
  impl_->parent.assign(ps.size(), -1);
  for (std::uint32_t i = 0; i < ps.size(); ++i) {
    const Place& p = ps[i];
    Entry e{bg::return_envelope<Box>(p.shape), i};
    if (p.kind == UnitKind::kGrid) g.push_back(e);
    if (p.kind == UnitKind::kCommunity) c.push_back(e);
    if (p.kind == UnitKind::kStreet) s.push_back(e);
    if (p.kind != UnitKind::kStreet) {
      if (const Place* parent = impl_->places.Find(p.code.substr(0, p.code.size() - 3)))
        impl_->parent[i] = static_cast<std::int32_t>(parent - ps.data());
    }
  }
  // The range constructor packs the tree (bulk loading): faster to build and to query.
  impl_->grids = Tree(g.begin(), g.end());
  impl_->communities = Tree(c.begin(), c.end());
  impl_->streets = Tree(s.begin(), s.end());
}

GridIndex::~GridIndex() = default;

Resolution GridIndex::Resolve(double lon, double lat) const {
  const Impl& m = *impl_;
  Point pt(lon, lat);
  Resolution r;
  std::int32_t grid = m.Lowest(m.grids, pt);
  std::int32_t community = grid >= 0 ? m.parent[static_cast<size_t>(grid)] : -1;
  if (community < 0) community = m.Lowest(m.communities, pt);
  std::int32_t street = community >= 0 ? m.parent[static_cast<size_t>(community)] : -1;
  if (street < 0) street = m.Lowest(m.streets, pt);
  r.grid = m.At(grid);
  r.community = m.At(community);
  r.street = m.At(street);
  return r;
}

size_t GridIndex::grid_count() const { return impl_->grids.size(); }

const Place* GridIndex::Find(std::string_view code) const { return impl_->places.Find(code); }

}  // namespace hotline::geo
