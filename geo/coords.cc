#include "geo/coords.h"

#include <cctype>
#include <cmath>
#include <numbers>
#include <string>

namespace hotline::geo {
namespace {

// Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses it.
constexpr double kA = 6378245.0;
constexpr double kEe = 0.00669342162296594323;
constexpr double kPi = std::numbers::pi;

double TransformLat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::fabs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
  return r;
}

double TransformLon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::fabs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '-' && c != '_' && c != ' ')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<Datum> ParseDatum(std::string_view name) {
  std::string n = Lower(name);
  if (n == "wgs84") return Datum::kWgs84;
  if (n == "gcj02") return Datum::kGcj02;
  return std::nullopt;
}

std::string_view DatumName(Datum datum) { return datum == Datum::kWgs84 ? "wgs84" : "gcj02"; }

bool OutsideChina(LonLat p) {
  return p.lon < 72.004 || p.lon > 137.8347 || p.lat < 0.8293 || p.lat > 55.8271;
}

LonLat Wgs84ToGcj02(LonLat wgs) {
  if (OutsideChina(wgs)) return wgs;
  double dlat = TransformLat(wgs.lon - 105.0, wgs.lat - 35.0);
  double dlon = TransformLon(wgs.lon - 105.0, wgs.lat - 35.0);
  double radlat = wgs.lat / 180.0 * kPi;
  double magic = std::sin(radlat);
  magic = 1 - kEe * magic * magic;
  double sqrtmagic = std::sqrt(magic);
  dlat = (dlat * 180.0) / ((kA * (1 - kEe)) / (magic * sqrtmagic) * kPi);
  dlon = (dlon * 180.0) / (kA / sqrtmagic * std::cos(radlat) * kPi);
  return {wgs.lon + dlon, wgs.lat + dlat};
}

LonLat Gcj02ToWgs84(LonLat gcj) {
  if (OutsideChina(gcj)) return gcj;
  // Fixed point: w <- w - (f(w) - gcj). The offset varies slowly (its
  // derivative is ~1e-5), so each step gains ~5 digits; 2-3 steps suffice.
  LonLat w = gcj;
  for (int i = 0; i < 30; ++i) {
    LonLat g = Wgs84ToGcj02(w);
    double dlon = g.lon - gcj.lon, dlat = g.lat - gcj.lat;
    w.lon -= dlon;
    w.lat -= dlat;
    if (std::fabs(dlon) < 1e-9 && std::fabs(dlat) < 1e-9) break;
  }
  return w;
}

LonLat ToWgs84(LonLat p, Datum datum) { return datum == Datum::kGcj02 ? Gcj02ToWgs84(p) : p; }

double DistanceMeters(LonLat a, LonLat b) {
  constexpr double kR = 6371008.8;
  constexpr double kRad = kPi / 180.0;
  double dlat = (b.lat - a.lat) * kRad, dlon = (b.lon - a.lon) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRad) *
                                                           std::cos(b.lat * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kR * std::asin(std::min(1.0, std::sqrt(h)));
}

bool ValidLonLat(LonLat p) {
  return std::isfinite(p.lon) && std::isfinite(p.lat) && p.lon >= -180 && p.lon <= 180 &&
         p.lat >= -90 && p.lat <= 90;
}

}  // namespace hotline::geo
