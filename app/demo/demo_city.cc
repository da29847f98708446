#include "app/demo/demo_city.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "app/demo/appeal_gen.h"
#include "app/demo/demo_content.h"
#include "domain/codes.h"
#include "domain/workflow.h"
#include "geo/demo_boundaries.h"
#include "geo/gazetteer.h"
#include "geo/geojson.h"
#include "service/calendar_json.h"
#include "service/hotline_service.h"
#include "service/password.h"
#include "service/search_text.h"

namespace hotline::demo {
namespace {

using nlohmann::json;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ShortName(const std::string& name) { return ShortCommunityName(name); }

const char* kGridOrdinals[] = {"第一网格", "第二网格", "第三网格", "第四网格", "第五网格"};
const char* kDedicated[] = {"学校专属网格", "医院专属网格", "园区专属网格", "商圈专属网格"};

// A district of the demo city with data: its hotline office, its own departments (the
// counterparts of the catalogue's district departments) and how its appeals tend to go, so the
// city's ranking of its districts means something.
struct DemoDistrict {
  const char* code;
  const char* name;
  const char* prefix;     // login and department-code prefix: lc, lx, sz
  const char* divisions;  // the divisions CSV holding its streets and communities
  double volume;          // appeals per grid, relative
  double late;            // share of replies after the deadline
  double unhappy;         // extra weight on unsatisfied ratings
  double slow_sign;       // share of late signatures
  geo::Box extent;        // where its generated boundaries are drawn (approximate, not surveyed)
};
// 历城 wraps 历下 on the east and 市中 lies west of both; the boxes are placed side by side
// (west to east) so the generated shapes do not overlap.
const DemoDistrict kDemoDistricts[] = {
    {"370102", "历下区", "lx", "jinan_divisions.csv", 1.5, 0.05, 0.6, 0.03,
     geo::Box(geo::Point(117.02, 36.58), geo::Point(117.15, 36.70))},
    {"370103", "市中区", "sz", "jinan_divisions.csv", 1.2, 0.17, 1.6, 0.09,
     geo::Box(geo::Point(116.88, 36.50), geo::Point(117.02, 36.68))},
    {"370112", "历城区", "lc", "licheng_divisions.csv", 1.0, 0.10, 1.0, 0.06,
     geo::Box(geo::Point(117.15, 36.38), geo::Point(117.42, 36.87))},
};
// The catalogue's departments that are the city's (city-wide utilities and offices): the city
// centre dispatches to them directly. The rest are each district's own.
bool IsCityDepartment(const std::string& code) {
  return code == "D20" || code == "D22" || code == "D23" || code == "D30";
}

// The city as built: units with their lineage and one handler per unit.
struct City {
  struct District {
    const DemoDistrict* spec = nullptr;
    Id id = 0, office = 0;
    std::vector<Id> streets, departments;
    std::map<std::string, Id> dept_by_key;  // catalogue code (D02) -> this district's unit
  };
  std::vector<Unit> units;  // index = id - 1
  std::vector<Id> streets, communities, grids, departments, city_departments;
  std::vector<District> districts;
  std::map<Id, size_t> district_of;  // district unit id -> index in districts
  std::vector<double> grid_weight;
  std::map<Id, Id> handler_of;                       // unit -> user
  std::map<Id, Id> supervisor_of;                    // district office -> supervisor user
  std::map<Id, std::vector<std::string>> compounds;  // community -> 小区 names
  std::map<std::string, Id> by_code;
  const Unit& U(Id id) const { return units[static_cast<size_t>(id - 1)]; }
  std::vector<Id> Lineage(Id id) const {
    std::vector<Id> out;
    for (std::optional<Id> u = id; u; u = U(*u).parent_id) out.push_back(*u);
    return out;
  }
  // The demo district holding `unit`, or nullptr (the city, its centre and departments).
  const District* DistrictOf(Id unit) const {
    for (Id u : Lineage(unit))
      if (auto it = district_of.find(u); it != district_of.end()) return &districts[it->second];
    return nullptr;
  }
  // The unit a catalogue reference (a department code) means for an order in district `d`.
  Id Counterpart(Id unit, const District& d) const {
    const Unit& u = U(unit);
    if (u.kind != UnitKind::kDepartment || IsCityDepartment(u.code)) return unit;
    const size_t dash = u.code.find('-');
    auto it = d.dept_by_key.find(dash == std::string::npos ? u.code : u.code.substr(dash + 1));
    return it == d.dept_by_key.end() ? unit : it->second;
  }
};

constexpr Id kRoot = 1, kCenter = 2;

// Suffixes of 小区 named after their community.
constexpr std::array<std::string_view, 8> kCompoundSuffixes = {"家园", "新苑", "花园", "小区",
                                                               "嘉园", "雅居", "华庭", "新村"};

// "甸柳第一社区居民委员会" -> "甸柳第一"; "西蒋峪村村民委员会" -> "西蒋峪".
std::string CommunityStem(std::string name) {
  for (std::string_view tail :
       {"社区居民委员会", "居民委员会", "村民委员会", "社区", "村", "居委会"}) {
    if (name.size() > tail.size() &&
        name.compare(name.size() - tail.size(), tail.size(), tail) == 0) {
      name.resize(name.size() - tail.size());
      break;
    }
  }
  return name;
}
constexpr Id kAdminUser = 1, kAgentUser = 2, kAgent2User = 3, kDispatcherUser = 4,
             kSupervisorUser = 5, kCitizenUser = 6;

class Progress {
 public:
  Progress(std::ostream& out, std::string label, size_t total)
      : out_(out), label_(std::move(label)), total_(std::max<size_t>(total, 1)) {}
  void Update(size_t done) {
    int pct = static_cast<int>(100 * done / total_);
    // On a terminal every percent; in a log every tenth, so it stays readable.
    static const bool tty = isatty(1);
    if (pct == last_ || (!tty && pct % 10 != 0 && done < total_)) return;
    last_ = pct;
    out_ << "\r" << label_ << ": " << pct << "% (" << done << "/" << total_ << ")" << std::flush;
    if (done >= total_) out_ << "\n";
  }

 private:
  std::ostream& out_;
  std::string label_;
  size_t total_;
  int last_ = -1;
};

struct Sim {
  std::mt19937_64 rng;
  double Uni(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
  bool Chance(double p) { return Uni(0, 1) < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  }
  size_t Weighted(const std::vector<double>& w) {
    return std::discrete_distribution<size_t>(w.begin(), w.end())(rng);
  }
};

// "区住房和城乡建设局" -> "历下区住房和城乡建设局"; "济南市公安局历城区分局" -> "...历下区分局".
std::string DistrictDepartmentName(const std::string& name, const std::string& district) {
  std::string out = name;
  const std::string licheng = "历城", short_name = district.substr(0, district.rfind("区"));
  for (size_t at = out.find(licheng); at != std::string::npos; at = out.find(licheng, at))
    out.replace(at, licheng.size(), short_name), at += short_name.size();
  if (out.rfind("区", 0) == 0) out = short_name + out;
  return out;
}

Status BuildCity(const DemoOptions& o, const std::vector<Department>& departments, City& city,
                 Sim& sim) {
  // jinan_divisions.csv lists the city's districts (6-digit codes under 370100) before the
  // streets and communities of 历下 and 市中; the districts are read here, the rest parsed.
  const std::string jinan_path = o.data_dir + "/demo/jinan_divisions.csv";
  HOTLINE_ASSIGN_OR_RETURN(std::string jinan_csv, ReadFile(jinan_path));
  std::map<std::string, std::string> district_names;
  std::string below;
  {
    std::istringstream lines(jinan_csv);
    std::string line;
    while (std::getline(lines, line)) {
      const size_t comma = line.find(',');
      if (comma == 6 && line.compare(line.size() - 7, 7, ",370100") == 0)
        district_names[line.substr(0, 6)] = line.substr(7, line.size() - 7 - 7);
      else
        below += line + "\n";
    }
  }
  HOTLINE_ASSIGN_OR_RETURN(auto jinan, ParseDivisions(below, jinan_path));
  HOTLINE_ASSIGN_OR_RETURN(auto licheng, LoadDivisions(o.data_dir + "/demo/licheng_divisions.csv"));
  auto add = [&](std::string code, std::string name, UnitKind kind, std::optional<Id> parent,
                 std::optional<GridKind> gk = std::nullopt) {
    Unit u;
    u.id = static_cast<Id>(city.units.size() + 1);
    u.code = std::move(code);
    u.name = std::move(name);
    u.kind = kind;
    u.parent_id = parent;
    u.grid_kind = gk;
    city.units.push_back(u);
    city.by_code[u.code] = u.id;
    return u.id;
  };
  add("370100", "济南市", UnitKind::kCity, std::nullopt);
  add("CENTER", "济南市12345市民服务热线", UnitKind::kCenter, kRoot);
  // Every district and county of Jinan; those without demo data stay empty units.
  district_names["370112"] = "历城区";
  for (const auto& [code, name] : district_names) add(code, name, UnitKind::kDistrict, kRoot);
  // The city's departments (the catalogue's city-wide ones).
  for (const Department& d : departments)
    if (IsCityDepartment(d.code))
      city.city_departments.push_back(add(d.code, d.name, UnitKind::kDepartment, kRoot));
  for (const DemoDistrict& spec : kDemoDistricts) {
    City::District dist;
    dist.spec = &spec;
    dist.id = city.by_code.at(spec.code);
    const std::string prefix = spec.prefix;
    std::string upper = prefix;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    dist.office = add(upper + "-OFFICE", std::string(spec.name) + "12345热线办公室",
                      UnitKind::kCenter, dist.id);
    const auto& divisions =
        std::string(spec.divisions) == "licheng_divisions.csv" ? licheng : jinan;
    std::map<std::string, Id> street_by_code;
    for (const Division& d : divisions)
      if (d.code.size() == 9 && d.parent_code == spec.code)
        street_by_code[d.code] = add(d.code, d.name, UnitKind::kStreet, dist.id);
    for (auto& [_, id] : street_by_code) {
      city.streets.push_back(id);
      dist.streets.push_back(id);
    }
    for (const Division& d : divisions) {
      if (d.code.size() != 12) continue;
      auto st = street_by_code.find(d.parent_code);
      if (st == street_by_code.end()) continue;
      // The official data holds a few codes past 399 (下井村社区 370102012400) that the
      // division-code rules of a store refuse; the demo leaves them out.
      if (!ValidateUnitCode(UnitKind::kCommunity, d.code).ok()) continue;
      Id c = add(d.code, ShortName(d.name), UnitKind::kCommunity, st->second);
      city.communities.push_back(c);
      bool urban = d.name.find("居民委员会") != std::string::npos;
      int basic = urban ? 2 + static_cast<int>(sim.Uni(0, 2)) : 1;
      for (int g = 1; g <= basic; ++g) {
        char seq[16];
        std::snprintf(seq, sizeof seq, "%03d", g);
        Id gid = add(d.code + seq, ShortName(d.name) + kGridOrdinals[g - 1], UnitKind::kGrid, c,
                     GridKind::kBasic);
        city.grids.push_back(gid);
        city.grid_weight.push_back((urban ? 3.0 : 1.0) * spec.volume);
      }
      if (urban && sim.Chance(0.25)) {
        char seq[16];
        std::snprintf(seq, sizeof seq, "%03d", basic + 1);
        Id gid = add(d.code + seq, ShortName(d.name) + kDedicated[sim.Weighted({3, 2, 2, 1})],
                     UnitKind::kGrid, c, GridKind::kDedicated);
        city.grids.push_back(gid);
        city.grid_weight.push_back(1.0 * spec.volume);
      }
    }
    // The district's own departments: Licheng keeps the catalogue's codes (D02), the others
    // carry their prefix (LX-D02) and their district's name.
    const bool licheng_codes = prefix == "lc";
    for (const Department& d : departments) {
      if (IsCityDepartment(d.code)) continue;
      Id id = licheng_codes ? add(d.code, d.name, UnitKind::kDepartment, dist.id)
                            : add(upper + "-" + d.code, DistrictDepartmentName(d.name, spec.name),
                                  UnitKind::kDepartment, dist.id);
      dist.dept_by_key[d.code] = id;
      dist.departments.push_back(id);
      city.departments.push_back(id);
    }
    city.district_of[dist.id] = city.districts.size();
    city.districts.push_back(std::move(dist));
  }
  return {};
}

void AddUsers(City& city, const std::string& hash, AppealGenerator& gen, Sim& sim,
              std::vector<User>& users) {
  auto add = [&](std::string login, std::string name, Role role, Id unit, std::string phone = "") {
    User u;
    u.id = static_cast<Id>(users.size() + 1);
    u.login = std::move(login);
    u.display_name = std::move(name);
    u.role = role;
    u.unit_id = unit;
    u.phone = std::move(phone);
    u.password_hash = hash;
    users.push_back(u);
    return u.id;
  };
  // The city centre's staff (ids 1-6, in this order: the simulation acts as them).
  add("admin", "系统管理员", Role::kAdmin, kCenter);
  add("agent", "话务员" + gen.CallerName(sim.rng), Role::kAgent, kCenter);
  add("agent2", "话务员" + gen.CallerName(sim.rng), Role::kAgent, kCenter);
  add("dispatcher", "派单员" + gen.CallerName(sim.rng), Role::kDispatcher, kCenter);
  add("supervisor", "督办员" + gen.CallerName(sim.rng), Role::kSupervisor, kCenter);
  add("citizen", gen.CallerName(sim.rng), Role::kCitizen, kRoot, "13905310000");
  // Each district's hotline office: a dispatcher who signs and re-dispatches, a supervisor.
  for (const City::District& d : city.districts) {
    const std::string p = d.spec->prefix, name = d.spec->name;
    city.handler_of[d.office] = add(p + "_dispatcher", name + "派单员" + gen.CallerName(sim.rng),
                                    Role::kDispatcher, d.office);
    city.supervisor_of[d.office] = add(p + "_supervisor", name + "督办员" + gen.CallerName(sim.rng),
                                       Role::kSupervisor, d.office);
  }
  for (Id s : city.streets)
    city.handler_of[s] = add("s" + city.U(s).code, city.U(s).name + "承办人", Role::kHandler, s);
  // Department logins: d02 for D02 (Licheng's and the city's), lx_d02 for LX-D02.
  auto dept_login = [&](const std::string& code) {
    std::string login;
    for (char ch : code)
      login += ch == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return login;
  };
  for (Id d : city.city_departments)
    city.handler_of[d] =
        add(dept_login(city.U(d).code), city.U(d).name + "承办人", Role::kHandler, d);
  for (Id d : city.departments)
    city.handler_of[d] =
        add(dept_login(city.U(d).code), city.U(d).name + "承办人", Role::kHandler, d);
  for (Id c : city.communities)
    city.handler_of[c] = add("c" + city.U(c).code, city.U(c).name + "承办人", Role::kHandler, c);
  for (Id g : city.grids)
    city.handler_of[g] =
        add("g" + city.U(g).code, "网格员" + gen.CallerName(sim.rng), Role::kGridWorker, g);
}

Actor ActorOf(const City& city, Id unit, const std::vector<User>& users) {
  Id uid = city.handler_of.at(unit);
  return Actor{uid, users[static_cast<size_t>(uid - 1)].role, unit};
}

const Actor kAgent{kAgentUser, Role::kAgent, kCenter};
const Actor kDispatcher{kDispatcherUser, Role::kDispatcher, kCenter};
const Actor kSupervisor{kSupervisorUser, Role::kSupervisor, kCenter};

// Drives one order through its life with the real workflow, stopping at `now`.
class Life {
 public:
  Life(const Config& cfg, const City& city, const std::vector<User>& users, Sim& sim, Timestamp now,
       Store::HistoryItem& item, std::map<std::string, int>& failures)
      : cfg_(cfg),
        city_(city),
        users_(users),
        sim_(sim),
        now_(now),
        item_(item),
        failures_(failures) {}

  // Applies the action at time `at`; false when `at` is in the future or the
  // workflow refused (counted: the demo should not produce refusals).
  bool Do(Timestamp at, const Actor& actor, ActionInput in) {
    if (at > now_) return false;
    at = std::max(at, item_.order.updated_at + 1);
    if (at > now_) return false;
    DeadlineContext ctx{&cfg_.calendar, &cfg_.rules, cfg_.light_policy, at};
    auto t = Plan(item_.order, in, actor, ctx);
    if (!t.ok()) {
      failures_[std::string(ToString(in.action)) + ": " + t.status().message()]++;
      return false;
    }
    item_.order = t->next;
    item_.events.push_back(t->event);
    auto grant = [&](Id unit, int rel) {
      bool first = true;
      for (Id u : city_.Lineage(unit)) {
        item_.access.push_back({u, first ? rel : kAccessAncestor});
        first = false;
      }
    };
    if (in.lead_unit_id) grant(*in.lead_unit_id, kAccessLead);
    for (Id a : in.assist_unit_ids) grant(a, kAccessAssist);
    return true;
  }
  Timestamp T() const { return item_.order.updated_at; }
  WorkOrder& O() { return item_.order; }
  Actor Handler() const { return ActorOf(city_, *item_.order.lead_unit_id, users_); }

 private:
  const Config& cfg_;
  const City& city_;
  const std::vector<User>& users_;
  Sim& sim_;
  Timestamp now_;
  Store::HistoryItem& item_;
  std::map<std::string, int>& failures_;
};

constexpr std::int64_t kMin = 60, kHour = 3600, kDay = 86400;

// `unhappy` scales the weight of unsatisfied ratings (a district's tendency; 1 = the average).
Rating PickRating(Sim& sim, bool late, double unhappy = 1.0) {
  std::vector<double> w = {30, 50, 8, (late ? 12.0 : 5.0) * unhappy, (late ? 4.0 : 2.0) * unhappy,
                           4};
  return static_cast<Rating>(sim.Weighted(w));
}

Reply MakeReply(AppealGenerator& gen, Sim& sim, const GeneratedAppeal& a, const std::string& unit,
                Timestamp at, bool resolved) {
  auto text = gen.Reply(sim.rng, a, unit, resolved);
  Reply r;
  r.contacted_at = at - static_cast<Timestamp>(sim.Uni(1, 20) * kHour);
  r.contact_method = sim.Chance(0.8) ? "phone" : (sim.Chance(0.5) ? "on_site" : "visit");
  r.resolved = resolved;
  r.unresolved_reason = resolved ? "" : text.unresolved_reason;
  if (!resolved && r.unresolved_reason.empty())
    r.unresolved_reason = "涉及多部门职责，需进一步协调研究解决";
  r.actions_taken = text.actions_taken;
  r.public_text = text.public_text;
  return r;
}

// The demo city as built in the store: what the simulation of appeals needs.
struct World {
  Sim sim;
  City city;
  std::vector<User> users;
  geo::PlaceSet shapes;
  WorkCalendar calendar;
  std::unique_ptr<AppealGenerator> gen;
  std::unique_ptr<HotlineService> svc;  // opened on the configured store, before any order
  std::shared_ptr<const Config> cfg;
};

// Builds the city (units, users, boundaries, gazetteer, configuration) into the empty `store`.
Status SetupWorld(Store& store, const Clock& clock, const DemoOptions& o, World& world,
                  std::ostream& out) {
  Sim& sim = world.sim;
  sim.rng.seed(o.seed);
  const std::string dir = o.data_dir + "/demo";
  HOTLINE_ASSIGN_OR_RETURN(auto departments, LoadDepartments(dir + "/departments.json"));
  HOTLINE_ASSIGN_OR_RETURN(Taxonomy taxonomy, LoadTaxonomy(dir + "/taxonomy.json", departments));
  HOTLINE_ASSIGN_OR_RETURN(std::string taxonomy_json, ReadFile(dir + "/taxonomy.json"));
  HOTLINE_ASSIGN_OR_RETURN(std::string catalogue_json, ReadFile(dir + "/catalogue.json"));
  HOTLINE_ASSIGN_OR_RETURN(world.calendar, LoadCalendarFile(o.calendar_path));
  const WorkCalendar& calendar = world.calendar;
  world.gen = std::make_unique<AppealGenerator>(taxonomy);
  AppealGenerator& gen = *world.gen;

  out << "building the demo city (济南市: 历下区, 市中区, 历城区) ..." << std::endl;
  City& city = world.city;
  HOTLINE_RETURN_IF_ERROR(BuildCity(o, departments, city, sim));
  HOTLINE_ASSIGN_OR_RETURN(std::string hash, HashPassword(kDemoPassword));
  std::vector<User>& users = world.users;
  AddUsers(city, hash, gen, sim, users);

  // Boundaries: streets split into communities split into grids, covering the district.
  // Boundaries: each district drawn in its own box (generated, not surveyed), its streets split
  // into communities split into grids.
  geo::PlaceSet& shapes = world.shapes;
  for (const City::District& d : city.districts) {
    std::vector<Unit> own;
    for (const Unit& u : city.units)
      if (u.id == d.id || (u.kind != UnitKind::kDepartment && u.kind != UnitKind::kCenter &&
                           u.code.size() > 6 && u.code.compare(0, 6, d.spec->code) == 0))
        own.push_back(u);
    geo::DemoBoundaryOptions bo;
    bo.extent = d.spec->extent;
    bo.seed = o.seed + static_cast<std::uint64_t>(d.id);
    HOTLINE_ASSIGN_OR_RETURN(geo::PlaceSet part, geo::GenerateDemoBoundaries(own, bo));
    for (geo::Place& p : part.places) shapes.places.push_back(std::move(p));
  }
  shapes.SortByCode();

  // Gazetteer: compounds, landmarks and buildings beside the divisions (the service
  // adds the streets, communities and grids itself), stored as admin-imported entries.
  HOTLINE_ASSIGN_OR_RETURN(std::string gazetteer_csv, ReadFile(dir + "/gazetteer.csv"));
  std::vector<geo::GazetteerRowError> gazetteer_errors;
  std::vector<geo::GazetteerEntry> gazetteer =
      geo::ParseGazetteerCsv(gazetteer_csv, &gazetteer_errors);
  if (!gazetteer_errors.empty())
    return Invalid("gazetteer.csv", gazetteer_errors.front().ToString());
  // Three 小区 per community, each name used once in the district and entered in the
  // gazetteer with its community: every compound an appeal names resolves to its place.
  std::set<std::string> taken;
  for (const geo::GazetteerEntry& e : gazetteer) {
    taken.insert(e.name);
    taken.insert(e.aliases.begin(), e.aliases.end());
  }
  // Nor the name of a division or its short form (祥泰城 beside 祥泰城社区 would be ambiguous).
  for (const Unit& u : city.units) {
    taken.insert(u.name);
    taken.insert(CommunityStem(u.name));
  }
  for (Id c : city.communities) {
    const std::string stem = CommunityStem(city.U(c).name);
    const std::string street = city.U(*city.U(c).parent_id).name;
    const std::string street_stem = street.substr(0, street.rfind("街道"));
    for (int k = 0; k < 3; ++k) {
      // The generator's names first; they run out long before ~650 communities do, and then
      // the 小区 is named after its community (甸柳 -> 甸柳家园), as many are, or after its
      // street and community when even those are taken.
      std::vector<std::string> candidates;
      for (int tries = 0; tries < 8; ++tries) candidates.push_back(gen.CompoundName(sim.rng));
      for (size_t i = 0; i < kCompoundSuffixes.size(); ++i)
        candidates.push_back(
            stem + std::string(kCompoundSuffixes[(i + k * 3) % kCompoundSuffixes.size()]));
      for (size_t i = 0; i < kCompoundSuffixes.size(); ++i)
        candidates.push_back(street_stem + stem + std::string(kCompoundSuffixes[i]));
      auto free = std::find_if(candidates.begin(), candidates.end(),
                               [&](const std::string& n) { return !taken.count(n); });
      if (free == candidates.end()) continue;  // every name taken: fewer 小区 here
      const std::string name = *free;
      taken.insert(name);
      city.compounds[c].push_back(name);
      geo::GazetteerEntry e;
      e.name = name;
      e.kind = geo::EntryKind::kCompound;
      e.community_code = city.U(c).code;
      e.street_code = city.U(*city.U(c).parent_id).code;
      gazetteer.push_back(std::move(e));
    }
  }

  Store::Batch batch;
  batch.units = city.units;
  batch.users = users;
  batch.documents = {{"taxonomy", taxonomy_json},
                     {"catalogue", catalogue_json},
                     {"calendar", CalendarToJson(calendar)},
                     {"boundaries", geo::ExportGeoJson(shapes)},
                     {"gazetteer", geo::GazetteerToJson(gazetteer)},
                     // Every demo account's password is "demo": the demo's own, lower minimum.
                     {kSecurityKey, SecurityJson(kLowestMinPasswordLength)}};
  HOTLINE_RETURN_IF_ERROR(store.ApplyBatch(batch));
  out << "  " << city.streets.size() << " streets, " << city.communities.size() << " communities, "
      << city.grids.size() << " grids, " << city.departments.size() << " departments, "
      << users.size() << " users" << std::endl;

  // The service validates the stored configuration exactly as it will when serving.
  HOTLINE_ASSIGN_OR_RETURN(world.svc, HotlineService::Open(store, clock, o.calendar_path));
  world.cfg = world.svc->config();
  return {};
}

// Drives appeals one after another through their lives, ending at `now`. Appeals must come in
// order of their time (merges look back at the community's recent appeals).
class Simulator {
 public:
  Simulator(World& world, Timestamp now)
      : world_(world),
        now_(now),
        grid_pick_(world.city.grid_weight.begin(), world.city.grid_weight.end()),
        channel_pick_(std::begin(kChannelWeight), std::end(kChannelWeight)) {}

  // Fills `item` with appeal `id` received at `t0` and its history up to now.
  void Run(Id id, Timestamp t0, Store::HistoryItem& item) {
    Sim& sim = world_.sim;
    City& city = world_.city;
    const std::vector<User>& users = world_.users;
    const geo::PlaceSet& shapes = world_.shapes;
    const WorkCalendar& calendar = world_.calendar;
    AppealGenerator& gen = *world_.gen;
    const std::shared_ptr<const Config>& cfg = world_.cfg;
    const Timestamp now = now_;
    WorkOrder& w = item.order;
    w.id = id;  // the store assigns the same ids to a fresh database
    Id grid = city.grids[grid_pick_(sim.rng)];
    Id community = *city.U(grid).parent_id;
    Id street = *city.U(community).parent_id;
    PlaceNames place;
    place.street = city.U(street).name;
    place.community = city.U(community).name;
    if (!city.compounds[community].empty()) place.compound = sim.Pick(city.compounds[community]);
    place.building = 1 + static_cast<int>(sim.Uni(0, 28));
    place.unit = 1 + static_cast<int>(sim.Uni(0, 4));
    place.room = (1 + static_cast<int>(sim.Uni(0, 18))) * 100 + 1 + static_cast<int>(sim.Uni(0, 3));
    GeneratedAppeal a = gen.Generate(sim.rng, place);
    w.channel = static_cast<Channel>(channel_pick_(sim.rng));
    w.nature = a.nature;
    w.urgency = a.urgency;
    w.subject_code = a.subject_code;
    w.title = a.title;
    w.content = a.content;
    w.place = Place{grid,
                    community,
                    street,
                    city.U(*city.U(street).parent_id).name + place.street + place.community +
                        place.compound + std::to_string(place.building) + "号楼",
                    std::nullopt,
                    std::nullopt};
    // A point inside the grid (app, grid patrol and web appeals carry coordinates).
    if (w.channel != Channel::kHotline || sim.Chance(0.3)) {
      if (const geo::Place* shape = shapes.Find(city.U(grid).code)) {
        geo::Box box = boost::geometry::return_envelope<geo::Box>(shape->shape);
        for (int tries = 0; tries < 20; ++tries) {
          geo::Point pt(sim.Uni(box.min_corner().x(), box.max_corner().x()),
                        sim.Uni(box.min_corner().y(), box.max_corner().y()));
          if (boost::geometry::within(pt, shape->shape)) {
            w.place.lon = pt.x();
            w.place.lat = pt.y();
            break;
          }
        }
      }
    }
    Actor recorder = kAgent;
    if (w.channel == Channel::kGridPatrol) {
      recorder = ActorOf(city, grid, users);
      w.caller_name = users[static_cast<size_t>(recorder.user_id - 1)].display_name;
      w.content = "网格员巡查发现：" + w.content;
    } else {
      if (!phones_.empty() && sim.Chance(0.08)) {
        w.caller_phone = sim.Pick(phones_);
      } else {
        w.caller_phone = AppealGenerator::MobilePhone(sim.rng);
        // Callers who call again: the last kPhones numbers (the demo never reaches it).
        if (phones_.size() < kPhones)
          phones_.push_back(w.caller_phone);
        else
          phones_[phones_next_++ % kPhones] = w.caller_phone;
      }
      w.caller_name = gen.CallerName(sim.rng);
      if (sim.Chance(0.1)) w.caller_id_no = AppealGenerator::IdNumber(sim.rng);
      if (sim.Chance(0.03)) w.confidential = true;
      if (w.channel == Channel::kWeb && sim.Chance(0.2)) {
        w.citizen_user_id = kCitizenUser;
        w.caller_phone = users[kCitizenUser - 1].phone;
        w.caller_name = users[kCitizenUser - 1].display_name;
      }
    }
    w.created_by = recorder.user_id;
    w.created_at = w.updated_at = t0;
    CivilDate d = calendar.LocalDate(t0);
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%02d%02d%02d", d.year % 100, d.month, d.day);
    w.no = prefix;
    Event intake;
    intake.order_id = w.id;
    intake.at = t0;
    intake.action = "intake";
    intake.user_id = recorder.user_id;
    intake.unit_id = recorder.unit_id;
    intake.text = std::string(ToString(w.channel));
    intake.data_json =
        json{{"channel", ToString(w.channel)}, {"nature", ToString(w.nature)}}.dump();
    item.events.push_back(intake);
    for (Id u : city.Lineage(grid)) item.access.push_back({u, kAccessPlace});
    for (Id u : city.Lineage(recorder.unit_id)) item.access.push_back({u, kAccessAncestor});

    Life life(*cfg, city, users, sim, now, item, failures_);
    auto Text = [](const char* s) {
      ActionInput in;
      in.text = s;
      return in;
    };
    auto In = [](Action a) {
      ActionInput in;
      in.action = a;
      return in;
    };

    // Duplicates and inadmissible appeals are settled at intake.
    auto& recent = recent_by_community_[community];
    while (!recent.empty() && recent.front().created_at < t0 - 5 * kDay)
      recent.erase(recent.begin());
    if (!recent.empty() && sim.Chance(0.03)) {
      ActionInput in = In(Action::kMerge);
      in.merge_into = sim.Pick(recent).id;
      in.text = "同一诉求重复反映，并单处理";
      life.Do(t0 + static_cast<Timestamp>(sim.Uni(3, 20) * kMin), kAgent, in);
      return;
    }
    if (sim.Chance(0.012)) {
      ActionInput in = In(Action::kReject);
      in.basis = static_cast<RejectBasis>(sim.Weighted({4, 2, 4, 1, 1, 1, 1, 1, 3, 2, 2, 1}));
      in.text = "经核实，该诉求不属于12345热线受理范围，已向来电人解释说明。";
      life.Do(t0 + static_cast<Timestamp>(sim.Uni(2, 10) * kMin), kAgent, in);
      return;
    }
    recent.push_back({w.id, t0});

    if (w.nature == Nature::kConsultation && w.channel != Channel::kGridPatrol &&
        sim.Chance(0.65)) {
      ActionInput in = In(Action::kAnswer);
      Reply r;
      r.public_text = "已根据知识库向来电人解答：" + a.title + "的办理流程、所需材料及咨询电话。";
      in.reply = r;
      if (life.Do(t0 + static_cast<Timestamp>(sim.Uni(3, 12) * kMin), kAgent, in)) {
        if (sim.Chance(0.3)) {
          ActionInput cb = In(Action::kCallback);
          cb.rating = PickRating(sim, false);
          bool unhappy =
              *cb.rating == Rating::kUnsatisfied || *cb.rating == Rating::kVeryUnsatisfied;
          ActionInput cl =
              Text(unhappy ? "咨询类诉求已按政策答复，诉求人期望超出政策范围，予以办结。" : "");
          cl.action = Action::kClose;
          if (life.Do(life.T() + static_cast<Timestamp>(sim.Uni(3, 30) * kHour), kAgent, cb))
            life.Do(life.T() + 10 * kMin, kAgent, cl);
        } else {
          life.Do(life.T() + static_cast<Timestamp>(sim.Uni(1, 10) * kMin), kAgent,
                  In(Action::kClose));
        }
      }
      return;
    }

    // Dispatch level by level (二级派单), by the catalogue: a city department's matter goes
    // straight to it; anything of a district goes to the district's hotline office, which signs
    // and re-dispatches (relay) to its street or department — or, now and then, the city
    // dispatches past the office to the street (越级派单, with the reason).
    const City::District& dist = *city.DistrictOf(street);
    const DemoDistrict& spec = *dist.spec;
    const Actor office{city.handler_of.at(dist.office), Role::kDispatcher, dist.office};
    DispatchSuggestion sug = SuggestFromCatalogue(*cfg, w);
    Id target = city.Counterpart(sug.lead_unit_id.value_or(street), dist);
    std::vector<Id> target_assists;
    for (Id a2 : sug.assist_unit_ids) {
      Id c = city.Counterpart(a2, dist);
      if (c != target &&
          std::find(target_assists.begin(), target_assists.end(), c) == target_assists.end())
        target_assists.push_back(c);
    }
    const bool city_dept = std::find(city.city_departments.begin(), city.city_departments.end(),
                                     target) != city.city_departments.end();
    const bool territorial = city.U(target).kind != UnitKind::kDepartment;
    ActionInput disp = In(Action::kDispatch);
    bool via_office = false;
    if (city_dept) {
      disp.lead_unit_id = target;
      disp.assist_unit_ids = target_assists;
    } else if (territorial && sim.Chance(0.05)) {
      disp.lead_unit_id = target;
      disp.hop.skips_district = true;
      disp.text = "情况紧急且属地明确，直接派至" + city.U(target).name + "办理（越级派单）";
    } else {
      disp.lead_unit_id = dist.office;
      disp.hop.lead_is_district_office = true;
      via_office = true;
    }
    if (!life.Do(t0 + static_cast<Timestamp>(sim.Uni(5, 90) * kMin), kDispatcher, disp)) {
      return;
    }
    auto sign = [&]() {
      double hours = sim.Chance(spec.slow_sign) ? sim.Uni(20, 50) : sim.Uni(0.3, 8);
      return life.Do(life.T() + static_cast<Timestamp>(hours * kHour), life.Handler(),
                     In(Action::kSign));
    };
    // Who reviews the lead's requests (returns, extensions): the office that re-dispatched the
    // order at the second hop, the city's dispatcher at the first.
    auto reviewer = [&]() { return life.O().relay_unit_id ? office : kDispatcher; };
    if (via_office) {
      // The office signs within hours and re-dispatches; now and then it first asks the city to
      // take the order back (not the district's), and the city holds it to the district.
      if (!life.Do(life.T() + static_cast<Timestamp>(sim.Uni(0.2, 3) * kHour), office,
                   In(Action::kSign))) {
        return;
      }
      if (sim.Chance(0.02)) {
        ActionInput rr = Text("经核查，该事项涉及市级部门职责，建议市中心改派。");
        rr.action = Action::kRequestReturn;
        if (life.Do(life.T() + static_cast<Timestamp>(sim.Uni(0.5, 3) * kHour), office, rr)) {
          ActionInput rj = Text("经审核，该事项属地明确，请区热线办按属地原则派至街道办理。");
          rj.action = Action::kRejectReturn;
          life.Do(life.T() + static_cast<Timestamp>(sim.Uni(1, 4) * kHour), kDispatcher, rj);
        }
      }
      ActionInput rl = In(Action::kRelay);
      rl.lead_unit_id = target;
      rl.assist_unit_ids = target_assists;
      rl.hop.actor_is_district_office = true;
      if (life.O().state != State::kInProgress ||
          !life.Do(life.T() + static_cast<Timestamp>(sim.Uni(0.3, 6) * kHour), office, rl)) {
        return;
      }
    }
    // Returns (退单): the unit says it is not theirs; the reviewer rules.
    if (sim.Chance(0.04)) {
      ActionInput rr = Text("经核查，该事项不属于我单位职责范围，建议改派相关主管部门。");
      rr.action = Action::kRequestReturn;
      const DeadlineRule& rule = cfg->rules.Match(w.subject_code, w.urgency, w.nature);
      Timestamp window_end = AddLimit(calendar, life.O().dispatched_at, rule.return_window);
      Timestamp at = std::min(life.T() + static_cast<Timestamp>(sim.Uni(1, 6) * kHour),
                              life.T() + (window_end - life.T()) * 4 / 5);
      if (life.Do(at, life.Handler(), rr)) {
        // Ruled within hours (a return is reviewed within a working day): a department matter
        // goes to another department (never down to a street), anything else from a department
        // to the street or from the street to a department — within the district at the
        // second hop; a city department's order to another city department.
        const Actor rev = reviewer();
        if (sim.Chance(0.7)) {
          ActionInput ar = In(Action::kApproveReturn);
          Id cur = *life.O().lead_unit_id;
          const bool dept_matter = cfg->IsDepartmentMatter(w.subject_code);
          const std::vector<Id>& pool =
              city.U(cur).parent_id == kRoot ? city.city_departments : dist.departments;
          if (dept_matter || city.U(cur).kind != UnitKind::kDepartment) {
            ar.lead_unit_id = sim.Pick(pool);
            for (int i = 0; i < 8 && *ar.lead_unit_id == cur; ++i) ar.lead_unit_id = sim.Pick(pool);
          } else {
            ar.lead_unit_id = street;
          }
          if (*ar.lead_unit_id == cur) ar.lead_unit_id = street;
          // The city reassigning into a district goes past its office: recorded as 越级.
          if (!life.O().relay_unit_id && city.DistrictOf(*ar.lead_unit_id)) {
            ar.hop.skips_district = true;
            ar.text = "经审核同意退回，改派" + city.U(*ar.lead_unit_id).name + "办理";
          }
          life.Do(life.T() + static_cast<Timestamp>(sim.Uni(1, 4) * kHour), rev, ar);
        } else {
          ActionInput rj = Text("经审核，该事项属于你单位职责范围，请按时办理。");
          rj.action = Action::kRejectReturn;
          life.Do(life.T() + static_cast<Timestamp>(sim.Uni(1, 4) * kHour), rev, rj);
        }
      }
    }
    if (life.O().state != State::kDispatched || !sign()) {
      return;
    }
    // Suspended (挂账) cases: parked for days; some are still parked.
    if (sim.Chance(0.01)) {
      ActionInput sp = Text("涉及历史遗留问题，需协调多部门解决，暂挂账处理。");
      sp.action = Action::kSuspend;
      if (life.Do(life.T() + static_cast<Timestamp>(sim.Uni(2, 24) * kHour), kDispatcher, sp))
        life.Do(life.T() + static_cast<Timestamp>(sim.Uni(3, 12) * kDay), kDispatcher,
                In(Action::kResume));
      if (life.O().state != State::kInProgress) {
        return;
      }
    }
    if (!life.O().assist_unit_ids.empty() && sim.Chance(0.5)) {
      ActionInput as = Text("我单位已配合现场核查，相关情况已反馈主办单位。");
      as.action = Action::kAssistReply;
      life.Do(life.T() + static_cast<Timestamp>(sim.Uni(2, 30) * kHour),
              ActorOf(city, life.O().assist_unit_ids.front(), users), as);
    }
    if (sim.Chance(0.05)) {
      ActionInput ex = Text("该问题需协调施工单位及物业共同处理，申请延期办理。");
      ex.action = Action::kRequestExtension;
      ex.extension_days =
          std::min(2 + static_cast<int>(sim.Uni(0, 4)),
                   cfg->rules.Match(w.subject_code, w.urgency, w.nature).max_extension.amount);
      Timestamp at = std::max(life.T() + kHour,
                              life.O().due_at - static_cast<Timestamp>(sim.Uni(1, 2) * kDay));
      if (at < life.O().due_at && life.Do(at, life.Handler(), ex)) {
        if (sim.Chance(0.8)) {
          life.Do(life.T() + static_cast<Timestamp>(sim.Uni(2, 6) * kHour), reviewer(),
                  In(Action::kApproveExtension));
        } else {
          ActionInput rj = Text("延期理由不充分，请在原时限内办结。");
          rj.action = Action::kRejectExtension;
          life.Do(life.T() + static_cast<Timestamp>(sim.Uni(2, 6) * kHour), reviewer(), rj);
        }
      }
    }
    for (int round = 0; round < 2; ++round) {
      if (life.O().state != State::kInProgress && life.O().state != State::kExtensionRequested)
        break;
      bool late = sim.Chance(spec.late);
      Timestamp due = life.O().due_at, signed_at = life.T();
      Timestamp at = late
                         ? due + static_cast<Timestamp>(sim.Uni(2, 72) * kHour)
                         : signed_at + static_cast<Timestamp>(sim.Uni(0.15, 0.95) *
                                                              static_cast<double>(due - signed_at));
      if (late && sim.Chance(0.4) && due + 2 * kHour < now) {
        ActionInput sv = Text("该工单已超期，请承办单位立即办理并反馈。");
        sv.action = Action::kSupervise;
        // The city's supervisor, or the district's own for an order it re-dispatched.
        const Actor district_sup{city.supervisor_of.at(dist.office), Role::kSupervisor,
                                 dist.office};
        life.Do(due + 2 * kHour,
                life.O().relay_unit_id && sim.Chance(0.5) ? district_sup : kSupervisor, sv);
      }
      bool resolved = !sim.Chance(0.12);
      ActionInput rp = In(Action::kReply);
      rp.reply = MakeReply(gen, sim, a, city.U(*life.O().lead_unit_id).name, at, resolved);
      rp.reply->contacted_at = std::max(rp.reply->contacted_at, life.T());
      if (!life.Do(at, life.Handler(), rp)) break;
      ActionInput cb = In(Action::kCallback);
      cb.rating = PickRating(sim, late || !resolved, spec.unhappy);
      // The hotline calls back within hours of the reply (a well-run centre's callback queue
      // holds a few dozen, not days of replies).
      if (!life.Do(life.T() + static_cast<Timestamp>(sim.Uni(1, 12) * kHour),
                   sim.Chance(0.5) ? kAgent : Actor{kAgent2User, Role::kAgent, kCenter}, cb))
        break;
      bool unhappy = *cb.rating == Rating::kUnsatisfied || *cb.rating == Rating::kVeryUnsatisfied;
      if (unhappy && round == 0 && sim.Chance(0.6)) {
        ActionInput rd = Text("市民对办理结果不满意，退回重办。");
        rd.action = Action::kRedo;
        if (!life.Do(life.T() + static_cast<Timestamp>(sim.Uni(1, 5) * kHour), kDispatcher, rd) ||
            !sign())
          break;
        continue;
      }
      ActionInput cl =
          Text(unhappy ? "经核实，承办单位已依法依规答复，诉求人期望超出政策规定，予以办结。" : "");
      cl.action = Action::kClose;
      life.Do(life.T() + static_cast<Timestamp>(sim.Uni(0.2, 4) * kHour), kDispatcher, cl);
      break;
    }
  }

  const std::map<std::string, int>& failures() const { return failures_; }

 private:
  struct Recent {
    Id id;
    Timestamp created_at;
  };
  static constexpr size_t kPhones = 200000;
  // Channel order in types.h.
  static constexpr double kChannelWeight[] = {62, 6, 8, 7, 8, 4, 2, 0, 1, 0};

  World& world_;
  const Timestamp now_;
  // Drawn from once per appeal: built once (the same draws as building one per call).
  std::discrete_distribution<size_t> grid_pick_, channel_pick_;
  std::vector<std::string> phones_;
  size_t phones_next_ = 0;
  std::map<Id, std::vector<Recent>> recent_by_community_;
  std::map<std::string, int> failures_;
};

void PrintRefusals(const std::map<std::string, int>& failures, std::ostream& out) {
  int refused = 0;
  for (const auto& [msg, n] : failures) refused += n;
  if (refused > 0) {
    out << "  note: the workflow refused " << refused
        << " simulated steps (orders stay where they were):\n";
    for (const auto& [msg, n] : failures) out << "    " << n << " x " << msg << "\n";
  }
}

// Appeal times: daily volume with weekly rhythm, holidays and winter heating season.
double DayFactor(const WorkCalendar& calendar, CivilDate date) {
  int wd = Weekday(date);  // 0 = Sunday
  bool weekend = wd == 0 || wd == 6;
  double f = wd == 1 ? 1.15 : weekend ? 0.72 : 1.0;
  if (!calendar.IsWorkingDay(date) && !weekend) f = 0.6;                   // public holiday
  if (date.month == 11 || date.month == 12 || date.month <= 2) f *= 1.15;  // heating season
  return f;
}
// The daily rhythm: calls by hour of the day.
constexpr double kHourWeight[24] = {0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 3.5, 5.0, 5.5, 5.0,
                                    3.0, 3.5, 4.5, 5.0, 4.5, 3.5, 2.5, 2.2, 2.0, 1.6, 1.0, 0.6};

}  // namespace

Status BuildDemo(Store& store, const Clock& clock, const DemoOptions& o, std::ostream& out) {
  World world;
  HOTLINE_RETURN_IF_ERROR(SetupWorld(store, clock, o, world, out));
  Sim& sim = world.sim;
  const WorkCalendar& calendar = world.calendar;
  const Timestamp now = clock.Now();
  const CivilDate today = calendar.LocalDate(now);
  const std::int64_t days = static_cast<std::int64_t>(o.months) * 30;
  std::vector<double> hour_w(std::begin(kHourWeight), std::end(kHourWeight));
  std::vector<Timestamp> times;
  for (std::int64_t d = days; d >= 0; --d) {
    CivilDate date = CivilFromDays(DaysFromCivil(today) - d);
    int n = std::poisson_distribution<int>(o.per_day * DayFactor(calendar, date))(sim.rng);
    Timestamp day0 = calendar.StartOfDay(date);
    for (int i = 0; i < n; ++i) {
      Timestamp t = day0 + static_cast<Timestamp>(sim.Weighted(hour_w)) * kHour +
                    static_cast<Timestamp>(sim.Uni(0, 3600));
      if (t < now) times.push_back(t);
    }
  }
  std::sort(times.begin(), times.end());

  std::vector<Store::HistoryItem> items(times.size());
  Simulator simulator(world, now);
  Progress progress(out, "simulating appeals", times.size());
  for (size_t i = 0; i < times.size(); ++i) {
    progress.Update(i + 1);
    simulator.Run(static_cast<Id>(i + 1), times[i], items[i]);
  }

  // Load in chunks, each one transaction.
  Progress saving(out, "saving", items.size());
  constexpr size_t kChunk = 2000;
  size_t events = 0;
  for (size_t at = 0; at < items.size(); at += kChunk) {
    std::vector<Store::HistoryItem> chunk(
        std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(at)),
        std::make_move_iterator(items.begin() +
                                static_cast<std::ptrdiff_t>(std::min(items.size(), at + kChunk))));
    for (const auto& it : chunk) events += it.events.size();
    HOTLINE_RETURN_IF_ERROR(store.BulkLoad(chunk));
    if (!chunk.empty() && chunk.front().order.id != static_cast<Id>(at + 1))
      return Status(Code::kInternal, "demo must be built into an empty store");
    saving.Update(std::min(items.size(), at + kChunk));
  }
  out << "  " << items.size() << " appeals, " << events << " events" << std::endl;
  PrintRefusals(simulator.failures(), out);
  return {};
}

namespace {

// A progress bar with the rate and the time left, for a long run. On a terminal it redraws one
// line at most ten times a second; otherwise (a log) it writes a plain line every few seconds.
class RateProgress {
 public:
  RateProgress(std::ostream& out, bool tty, std::int64_t total)
      : out_(out),
        tty_(tty),
        total_(std::max<std::int64_t>(total, 1)),
        start_(std::chrono::steady_clock::now()) {}
  void Update(std::int64_t done) {
    const auto t = std::chrono::steady_clock::now();
    const bool last = done >= total_;
    if (!last && t - shown_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(3)))
      return;
    shown_ = t;
    const double secs = std::chrono::duration<double>(t - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    const double left = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    const int pct = static_cast<int>(100 * done / total_);
    char line[160];
    if (tty_) {
      std::string bar(30, ' ');
      for (int i = 0; i < 30 * pct / 100; ++i) bar[static_cast<size_t>(i)] = '#';
      std::snprintf(line, sizeof line, "\rorders [%s] %3d%% %lld/%lld  %.0f/s  ETA %s ",
                    bar.c_str(), pct, static_cast<long long>(done), static_cast<long long>(total_),
                    rate, Clock(left).c_str());
    } else {
      std::snprintf(line, sizeof line, "orders %3d%% %lld/%lld  %.0f/s  ETA %s\n", pct,
                    static_cast<long long>(done), static_cast<long long>(total_), rate,
                    Clock(left).c_str());
    }
    out_ << line;
    if (last && tty_) out_ << "\n";
    out_ << std::flush;
  }

 private:
  static std::string Clock(double seconds) {
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    return buf;
  }
  std::ostream& out_;
  const bool tty_;
  const std::int64_t total_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point shown_{};
};

// A bounded queue of batches between the simulating thread and the writing one.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  // False when the reader has given up (a failed write): the producer stops.
  bool Push(std::vector<Store::HistoryItem> batch) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return q_.size() < capacity_ || abandoned_; });
    if (abandoned_) return false;
    q_.push_back(std::move(batch));
    cv_.notify_all();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  void Abandon() {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    cv_.notify_all();
  }
  // Empty optional at the end.
  std::optional<std::vector<Store::HistoryItem>> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    auto b = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return b;
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<Store::HistoryItem>> q_;
  bool closed_ = false, abandoned_ = false;
};

}  // namespace

Status ValidateGenerateOptions(const GenerateOptions& o) {
  if (o.orders <= 0) return Invalid("--orders", "--orders must be a whole number >= 1");
  if (o.orders > kMaxGeneratedOrders)
    return Invalid("--orders", "--orders must be at most " + std::to_string(kMaxGeneratedOrders));
  if (o.years < 1 || o.years > 10) return Invalid("--years", "--years must be 1 to 10");
  if (o.batch < 1) return Invalid("--batch", "--batch must be >= 1");
  return {};
}

Result<GenerateReport> GenerateHistory(Store& store, const Clock& clock, const GenerateOptions& o,
                                       std::ostream& out, std::ostream& progress_out,
                                       bool progress_tty) {
  HOTLINE_RETURN_IF_ERROR(ValidateGenerateOptions(o));
  HOTLINE_ASSIGN_OR_RETURN(Id max_unit, store.MaxUnitId());
  if (max_unit > 0)
    return Status(Code::kFailedPrecondition, "generate writes into a new, empty store only");
  const auto started = std::chrono::steady_clock::now();
  DemoOptions demo;
  demo.seed = o.seed;
  demo.data_dir = o.data_dir;
  demo.calendar_path = o.calendar_path;
  World world;
  HOTLINE_RETURN_IF_ERROR(SetupWorld(store, clock, demo, world, out));

  // Exactly o.orders appeals over the last o.years * 365 days (today included, up to now),
  // spread by the day's factor; each day's count is the rounded share of the running total.
  const WorkCalendar& calendar = world.calendar;
  const Timestamp now = clock.Now();
  const std::int64_t today = DaysFromCivil(calendar.LocalDate(now));
  const std::int64_t days = static_cast<std::int64_t>(o.years) * 365;
  std::vector<double> factor(static_cast<size_t>(days));
  double total = 0;
  for (std::int64_t d = 0; d < days; ++d)
    total += factor[static_cast<size_t>(d)] =
        DayFactor(calendar, CivilFromDays(today - days + 1 + d));

  BatchQueue queue(3);
  std::int64_t events = 0, written = 0;
  std::map<std::string, int> refusals;
  std::thread producer([&] {
    Sim& sim = world.sim;
    Simulator simulator(world, now);
    std::discrete_distribution<int> hour_pick(std::begin(kHourWeight), std::end(kHourWeight));
    std::vector<Store::HistoryItem> batch;
    batch.reserve(o.batch);
    std::vector<Timestamp> times;
    double cum = 0;
    std::int64_t before = 0;
    Id next_id = 1;
    for (std::int64_t d = 0; d < days; ++d) {
      cum += factor[static_cast<size_t>(d)];
      const std::int64_t upto =
          d + 1 == days ? o.orders : std::llround(static_cast<double>(o.orders) * cum / total);
      const std::int64_t n = upto - before;
      before = upto;
      const Timestamp day0 = calendar.StartOfDay(CivilFromDays(today - days + 1 + d));
      times.clear();
      for (std::int64_t i = 0; i < n; ++i) {
        Timestamp t = day0 + hour_pick(sim.rng) * kHour + static_cast<Timestamp>(sim.Uni(0, 3600));
        // Today: only the hours gone by.
        if (t >= now)
          t = day0 + static_cast<Timestamp>(
                         sim.Uni(0, static_cast<double>(std::max<Timestamp>(now - day0, 1))));
        times.push_back(t);
      }
      std::sort(times.begin(), times.end());
      for (Timestamp t : times) {
        batch.emplace_back();
        Store::HistoryItem& item = batch.back();
        simulator.Run(next_id++, t, item);
        item.order.search_text = OrderSearchText(item.order);
        if (batch.size() >= o.batch) {
          if (!queue.Push(std::move(batch))) return;
          batch = {};
          batch.reserve(o.batch);
        }
      }
    }
    if (!batch.empty()) (void)queue.Push(std::move(batch));
    refusals = simulator.failures();
    queue.Close();
  });

  RateProgress progress(progress_out, progress_tty, o.orders);
  Status st;
  double write_seconds = 0;
  while (auto batch = queue.Pop()) {
    const Id first = batch->front().order.id;
    for (const auto& it : *batch) events += static_cast<std::int64_t>(it.events.size());
    const auto t0 = std::chrono::steady_clock::now();
    st = store.BulkLoad(*batch);
    write_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (st.ok() && batch->front().order.id != first)
      st = Status(Code::kInternal, "generate must write into an empty store");
    if (!st.ok()) {
      queue.Abandon();
      break;
    }
    written += static_cast<std::int64_t>(batch->size());
    progress.Update(written);
  }
  producer.join();
  HOTLINE_RETURN_IF_ERROR(st);
  GenerateReport report;
  report.orders = written;
  report.events = events;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.write_seconds = write_seconds;
  PrintRefusals(refusals, out);
  return report;
}

std::string LoginsBanner(Store& store) {
  auto users = store.ListUsers();
  auto units = store.ListUnits();
  if (!users.ok() || !units.ok()) return "";
  std::map<Id, Unit> by_id;
  for (const Unit& u : *units) by_id[u.id] = u;
  std::ostringstream s;
  s << "\ndemo logins (password \"" << kDemoPassword << "\" for all):\n";
  int streets = 0, depts = 0;
  for (const User& u : *users) {
    const Unit& unit = by_id[u.unit_id];
    // The city centre's staff and each district office's dispatcher and supervisor.
    bool main_user = u.id <= kCitizenUser || unit.kind == UnitKind::kCenter;
    bool street = unit.kind == UnitKind::kStreet && u.role == Role::kHandler;
    bool dept = unit.kind == UnitKind::kDepartment && u.role == Role::kHandler;
    if (main_user || (street && streets++ < 17) || (dept && depts++ < 40)) {
      char line[256];
      std::snprintf(line, sizeof line, "  %-14s %-10s %s\n", u.login.c_str(),
                    std::string(ZhLabel(u.role)).c_str(), unit.name.c_str());
      s << line;
    }
  }
  s << "  c<12-digit community code>  community handlers, e.g. c370112001001\n"
    << "  g<15-digit grid code>       grid workers, e.g. g370112001001001\n"
    << "try: curl -s -X POST http://127.0.0.1:PORT/api/v1/auth/login -d "
       "'{\"login\":\"agent\",\"password\":\"demo\"}'\n";
  return s.str();
}

}  // namespace hotline::demo
