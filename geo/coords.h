// Coordinate systems: WGS-84 (GPS, OpenStreetMap, Open311) and GCJ-02 (the
// "Mars coordinates" that Chinese map apps — AMap/Gaode, Tencent, Apple Maps
// in China — and WeChat location sharing report).
//
// The store keeps WGS-84, always. Coordinates that arrive in GCJ-02 are
// converted with ToWgs84() at the edge (intake, import) and never stored as
// they came. Boundaries, the grid index and the gazetteer are all WGS-84.
//
// GCJ-02 is an obfuscating offset of a few hundred metres inside mainland
// China and the identity outside it (the conventional rough rectangle test
// below, lon 72.004–137.8347, lat 0.8293–55.8271). WGS→GCJ is the published
// closed formula; GCJ→WGS has no closed form and is solved by fixed-point
// iteration until the residual is below 1e-7° (~1 cm).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace hotline::geo {

struct LonLat {
  double lon = 0;  // degrees east
  double lat = 0;  // degrees north
};

enum class Datum { kWgs84, kGcj02 };

// "wgs84" / "WGS-84" / "gcj02" / "GCJ-02" (case-insensitive); nullopt otherwise.
std::optional<Datum> ParseDatum(std::string_view name);
std::string_view DatumName(Datum datum);  // "wgs84" or "gcj02"

// True where GCJ-02 applies no offset.
bool OutsideChina(LonLat p);

LonLat Wgs84ToGcj02(LonLat wgs);
// Inverse of Wgs84ToGcj02 to within 1e-7° (iterative).
LonLat Gcj02ToWgs84(LonLat gcj);
// `p` as WGS-84, whatever datum it is in.
LonLat ToWgs84(LonLat p, Datum datum);

// Great-circle distance in metres (haversine, mean Earth radius 6,371,008.8 m).
double DistanceMeters(LonLat a, LonLat b);

// True when lon is in [-180, 180] and lat in [-90, 90] and both are finite.
bool ValidLonLat(LonLat p);

}  // namespace hotline::geo
