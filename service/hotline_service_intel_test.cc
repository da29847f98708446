// The classifier at intake: suggestion stored, auto-dispatch above the threshold, review queue
// below it, hot swap while serving, a bad model file keeps the old model, /suggest.
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "classify/classifier.h"
#include "service/hotline_service.h"
#include "service/service_test_fixture.h"

namespace hotline {
namespace {

using nlohmann::json;
using testing::SmallCity;

// A handful of appeals per subject and nature; enough for the linear model to separate them.
std::vector<classify::Example> SubjectExamples() {
  std::vector<classify::Example> ex;
  for (const char* t :
       {"小区楼下垃圾堆放多日无人清理，气味很大", "垃圾桶满了没人清运，垃圾堆放在路边",
        "楼道里垃圾堆放，物业不清理垃圾", "小区垃圾清运不及时，垃圾气味难闻",
        "门前垃圾堆放无人清理，苍蝇很多", "垃圾站垃圾满溢，清运车不来"})
    ex.push_back({t, "020101"});
  for (const char* t : {"咨询公租房申请需要什么材料", "公租房申请条件是什么，收入标准多少",
                        "申请公租房排队多久能轮到", "公租房申请材料提交到哪里",
                        "想申请公租房，住房困难家庭怎么申请", "公租房申请审核进度怎么查询"})
    ex.push_back({t, "010101"});
  return ex;
}

std::vector<classify::Example> NatureExamples() {
  std::vector<classify::Example> ex;
  for (const char* t : {"咨询公租房申请需要什么材料", "请问公租房申请条件是什么",
                        "请问申请公租房要多久", "咨询一下垃圾分类的时间"})
    ex.push_back({t, "consultation"});
  for (const char* t : {"投诉小区垃圾堆放多日无人清理", "投诉物业不清理垃圾，气味很大",
                        "投诉垃圾清运不及时", "投诉楼下垃圾没人管"})
    ex.push_back({t, "complaint"});
  return ex;
}

std::shared_ptr<const classify::Classifier> TrainModel(const std::vector<classify::Example>& ex) {
  auto m = classify::Train(ex, classify::TrainOptions{});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::shared_ptr<const classify::Classifier>(std::move(m).value());
}

class IntelTest : public SmallCity {
 protected:
  void SetUp() override {
    SmallCity::SetUp();
    subject_ = TrainModel(SubjectExamples());
    nature_ = TrainModel(NatureExamples());
  }
  void UseModels() { svc_->SetClassifiers(subject_, nature_); }

  // A complaint about rubbish with no subject given: the model has to find 020101.
  IntakeRequest Rubbish() {
    IntakeRequest r = Appeal("");
    r.content = "投诉甸柳小区3号楼下垃圾堆放多日无人清理，气味很大。";
    return r;
  }
  // The confidence intake will see (/suggest classifies the same text).
  double RubbishConfidence() {
    auto s = svc_->Suggest(agent_, Rubbish());
    EXPECT_TRUE(s.ok() && s->subject) << s.status().ToString();
    return s.ok() && s->subject ? s->subject->confidence : 0;
  }
  void SetThreshold(double t) {
    ASSERT_TRUE(svc_->PutAutoDispatchJson(admin_, json{{"min_confidence", t}}.dump()).ok());
  }
  OrderView Intake(const IntakeRequest& r) {
    bool existed = false;
    auto v = svc_->Intake(agent_, r, &existed);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : OrderView{};
  }
  static json Suggestion(const WorkOrder& o) { return json::parse(o.suggestion_json); }

  std::shared_ptr<const classify::Classifier> subject_, nature_;
};

TEST_F(IntelTest, WithoutModelsIntakeStoresNoSuggestionAndWaits) {
  OrderView v = Intake(Rubbish());
  EXPECT_TRUE(v.order.suggestion_json.empty());
  EXPECT_EQ(v.order.state, State::kReceived);
  EXPECT_FALSE(svc_->Classifiers().subject.has_value());
}

TEST_F(IntelTest, IntakeStoresTheSuggestionAndItSurvivesARestart) {
  UseModels();
  IntakeRequest r = Rubbish();
  r.nature = Nature::kConsultation;  // never auto-dispatched: it stays to be looked at
  OrderView v = Intake(r);
  ASSERT_FALSE(v.order.suggestion_json.empty());
  json s = Suggestion(v.order);
  EXPECT_EQ(s["model"], subject_->version());
  EXPECT_EQ(s["nature_model"], nature_->version());
  EXPECT_EQ(s["subject_code"], "020101");
  EXPECT_GT(s["confidence"].get<double>(), 0.5);
  ASSERT_EQ(s["alternatives"].size(), 2u);  // the model knows two subjects
  EXPECT_EQ(s["alternatives"][0]["code"], "020101");
  EXPECT_EQ(s["alternatives"][0]["name"], "小区环境卫生");
  EXPECT_EQ(s["nature"], "complaint");
  EXPECT_EQ(s["auto_dispatched"], false);
  EXPECT_EQ(s["decision"], "review");
  EXPECT_NE(s["reason"].get<std::string>().find("consultation"), std::string::npos);
  // The catalogue's proposal for the predicted subject: rule 2 routes 02 to the street.
  EXPECT_EQ(s["dispatch"]["lead_unit_id"], UnitId("370112001"));
  EXPECT_EQ(v.order.state, State::kReceived);
  EXPECT_TRUE(v.order.subject_code.empty());  // a suggestion, not a decision

  Restart();  // no models now: stored suggestions stay readable
  auto again = svc_->GetOrder(dispatcher_, v.order.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Suggestion(again->order)["subject_code"], "020101");
}

TEST_F(IntelTest, AConfidentSuggestionStandsForTheSubjectOfTheSameMatterAtOnePlace) {
  std::vector<ImportError> errors;
  ASSERT_TRUE(svc_->ImportGazetteerCsv(admin_,
                                       "name,kind,aliases,street_code,community_code,grid_code,"
                                       "lon,lat\n祥泰小区,compound,,370112001,370112001001,,,\n",
                                       &errors)
                  .ok());
  UseModels();
  IntakeRequest r = Rubbish();
  r.nature = Nature::kConsultation;  // never dispatched by itself: it keeps no subject
  r.address = "祥泰小区1号楼";
  IntakeRequest again = r;
  again.caller_phone = "13700001111";
  again.address = "祥泰小区5号楼";
  again.content = "楼下垃圾又没人清理";
  auto s1 = svc_->Suggest(agent_, r), s2 = svc_->Suggest(agent_, again);
  ASSERT_TRUE(s1.ok() && s1->subject && s2.ok() && s2->subject);
  ASSERT_EQ(s2->subject->code, "020101");
  const double low = std::min(s1->subject->confidence, s2->subject->confidence);
  const double high = std::max(s1->subject->confidence, s2->subject->confidence);
  ASSERT_LT(high, 1.0);
  // Sure enough: the neighbour's few words are suggested as the same matter.
  SetThreshold(low - 0.01);
  OrderView first = Intake(r);
  ASSERT_TRUE(first.order.subject_code.empty());
  // The agent console sees it while typing, and intake again once recorded.
  auto typing = svc_->Suggest(agent_, again);
  ASSERT_TRUE(typing.ok());
  bool shown = false;
  for (const auto& d : typing->duplicates)
    shown |= d.id == first.order.id && d.reason == "same_place_same_subject";
  EXPECT_TRUE(shown);
  OrderView second = Intake(again);
  bool suggested = false;
  for (const auto& d : second.duplicates)
    suggested |= d.id == first.order.id && d.reason == "same_place_same_subject";
  EXPECT_TRUE(suggested);
  // Not sure enough: a guess is not the matter.
  SetThreshold(std::min(1.0, high + 0.01));
  again.caller_phone = "13700002222";
  OrderView third = Intake(again);
  for (const auto& d : third.duplicates)
    EXPECT_FALSE(d.id == first.order.id && d.reason == "same_place_same_subject");
}

TEST_F(IntelTest, AboveTheThresholdIntakeDispatchesThroughTheWorkflow) {
  UseModels();
  double conf = RubbishConfidence();
  ASSERT_LT(conf, 1.0);
  SetThreshold(conf - 0.05);
  OrderView v = Intake(Rubbish());
  EXPECT_EQ(v.order.state, State::kDispatched);
  EXPECT_EQ(v.order.subject_code, "020101");
  EXPECT_EQ(v.order.lead_unit_id, UnitId("370112001"));
  ASSERT_EQ(v.order.assist_unit_ids.size(), 1u);
  EXPECT_EQ(v.order.assist_unit_ids[0], UnitId("D02"));
  EXPECT_GT(v.order.due_at, 0);  // deadlines set by Plan()
  EXPECT_EQ(Suggestion(v.order)["auto_dispatched"], true);

  auto events = svc_->Events(dispatcher_, v.order.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  const Event& e = events->back();
  EXPECT_EQ(e.action, "dispatch");
  EXPECT_FALSE(e.user_id.has_value());  // the system, not a person
  json d = json::parse(e.data_json);
  EXPECT_EQ(d["auto"], true);
  EXPECT_EQ(d["model"], subject_->version());
  EXPECT_NEAR(d["confidence"].get<double>(), conf, 0.02);
  EXPECT_NEAR(d["threshold"].get<double>(), conf - 0.05, 1e-9);
  EXPECT_EQ(d["rule_id"], 2);
  EXPECT_NE(d["rule"].get<std::string>().find("catalogue rule 2"), std::string::npos);

  // The street sees it in its inbox and can sign: an ordinary dispatched order.
  auto signed_ = svc_->Act(s1_, v.order.id, ActionInput{Action::kSign}, std::nullopt);
  EXPECT_TRUE(signed_.ok()) << signed_.status().ToString();
}

TEST_F(IntelTest, BelowTheThresholdTheOrderWaitsInTheReviewQueue) {
  Id before = Intake(Rubbish()).order.id;  // no models yet: no suggestion, not in the queue
  UseModels();
  double conf = RubbishConfidence();
  ASSERT_LT(conf, 1.0);
  SetThreshold(std::min(1.0, conf + 0.001));
  IntakeRequest r = Rubbish();
  r.content += "另外楼道灯也不亮";  // not a similar-text repeat of the first one
  OrderView v = Intake(r);
  EXPECT_EQ(v.order.state, State::kReceived);
  json s = Suggestion(v.order);
  EXPECT_EQ(s["decision"], "review");
  EXPECT_NE(s["reason"].get<std::string>().find("below the threshold"), std::string::npos);

  OrderQuery q;
  q.states = {State::kReceived};
  q.with_suggestion = true;
  auto page = svc_->ListOrders(dispatcher_, q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].order.id, v.order.id);
  EXPECT_NE(page->items[0].order.id, before);
  // The dispatcher accepts the suggestion: the queue empties.
  ActionInput in{Action::kDispatch};
  in.subject_code = "020101";
  ASSERT_TRUE(svc_->Act(dispatcher_, v.order.id, in, std::nullopt).ok());
  EXPECT_EQ(svc_->ListOrders(dispatcher_, q)->total, 0);
}

TEST_F(IntelTest, TheAgentsOwnChoicesAreNotOverridden) {
  UseModels();
  SetThreshold(0.01);
  IntakeRequest other = Rubbish();
  other.subject_code = "010101";  // the agent disagrees with the model
  OrderView v = Intake(other);
  EXPECT_EQ(v.order.state, State::kReceived);
  EXPECT_NE(Suggestion(v.order)["reason"].get<std::string>().find("agent chose"),
            std::string::npos);
  // Accepting the model's subject is not a manual choice: it goes.
  IntakeRequest same = Rubbish();
  same.subject_code = "020101";
  same.caller_phone = "13900000001";
  same.grid_id = UnitId("370112002001001");
  EXPECT_EQ(Intake(same).order.state, State::kDispatched);
  // Switched off: nothing goes.
  ASSERT_TRUE(svc_->PutAutoDispatchJson(admin_, R"({"enabled":false})").ok());
  IntakeRequest third = Rubbish();
  third.caller_phone = "13900000002";
  third.content = "投诉洪家楼小区垃圾清运不及时，垃圾站垃圾满溢";
  third.grid_id = UnitId("370112002001001");
  EXPECT_EQ(Intake(third).order.state, State::kReceived);
}

TEST_F(IntelTest, ALikelyRepeatWaitsForTheDispatcher) {
  UseModels();
  SetThreshold(0.01);
  ASSERT_EQ(Intake(Rubbish()).order.state, State::kDispatched);
  IntakeRequest again = Rubbish();
  again.caller_phone = "13900000003";  // someone else, same text, same street
  OrderView v = Intake(again);
  EXPECT_EQ(v.order.state, State::kReceived);
  EXPECT_NE(Suggestion(v.order)["reason"].get<std::string>().find("possible repeat"),
            std::string::npos);
}

TEST_F(IntelTest, AutoDispatchConfigIsValidatedPersistedAndAudited) {
  auto bad = svc_->PutAutoDispatchJson(admin_, R"({"min_confidence":1.5})");
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.field(), "min_confidence");
  EXPECT_EQ(svc_->PutAutoDispatchJson(admin_, R"({"threshold":0.5})").field(), "threshold");
  EXPECT_EQ(svc_->PutAutoDispatchJson(admin_, R"({"enabled":"yes"})").field(), "enabled");
  EXPECT_EQ(svc_->PutAutoDispatchJson(dispatcher_, R"({"min_confidence":0.5})").code(),
            Code::kForbidden);
  EXPECT_EQ(json::parse(svc_->AutoDispatchJson())["min_confidence"], 0.7);  // unchanged
  ASSERT_TRUE(svc_->PutAutoDispatchJson(admin_, R"({"min_confidence":0.75})").ok());
  Restart();
  json j = json::parse(svc_->AutoDispatchJson());
  EXPECT_EQ(j["min_confidence"], 0.75);
  EXPECT_EQ(j["enabled"], true);
  auto audit = svc_->Audit(admin_, std::nullopt, 50);
  ASSERT_TRUE(audit.ok());
  bool found = false;
  for (const AuditEntry& e : *audit) found |= e.action == "put_auto_dispatch";
  EXPECT_TRUE(found);
}

TEST_F(IntelTest, ReloadSwapsModelsAndABadFileKeepsTheOldOne) {
  auto good = dir_ / "models";
  std::filesystem::create_directories(good);
  ASSERT_TRUE(subject_->Save((good / "subject.bin").string()).ok());
  ASSERT_TRUE(nature_->Save((good / "nature.bin").string()).ok());
  auto info = svc_->ReloadClassifiers(admin_, good.string());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->subject->model, subject_->version());
  EXPECT_EQ(info->nature->labels, 2);
  EXPECT_EQ(info->dir, good.string());

  // A damaged file: refused, the old models keep serving.
  auto bad = dir_ / "bad";
  std::filesystem::create_directories(bad);
  std::ofstream(bad / "subject.bin") << "not a model";
  auto r = svc_->ReloadClassifiers(admin_, bad.string());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "path");
  EXPECT_NE(r.status().message().find("subject.bin"), std::string::npos);
  EXPECT_EQ(svc_->Classifiers().subject->model, subject_->version());
  EXPECT_EQ(svc_->Classifiers().dir, good.string());
  // A nature model in the subject's place is refused too.
  auto swapped = dir_ / "swapped";
  std::filesystem::create_directories(swapped);
  ASSERT_TRUE(nature_->Save((swapped / "subject.bin").string()).ok());
  EXPECT_EQ(svc_->ReloadClassifiers(admin_, swapped.string()).status().field(), "path");
  EXPECT_EQ(svc_->ReloadClassifiers(admin_, (dir_ / "nowhere").string()).status().field(), "path");
  EXPECT_EQ(svc_->ReloadClassifiers(dispatcher_, good.string()).status().code(), Code::kForbidden);
  // Reload with no path re-reads the same directory (e.g. after retraining in place).
  auto retrained = TrainModel({{"垃圾堆放", "020101"},
                               {"垃圾清运", "020101"},
                               {"公租房申请", "010101"},
                               {"公租房材料", "010101"}});
  ASSERT_TRUE(retrained->Save((good / "subject.bin").string()).ok());
  auto again = svc_->ReloadClassifiers(admin_, "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->subject->model, retrained->version());
  EXPECT_NE(retrained->version(), subject_->version());
}

TEST_F(IntelTest, ModelsSwapWhileIntakeRuns) {
  auto other = TrainModel({{"垃圾堆放无人清理", "020101"},
                           {"垃圾清运不及时", "020101"},
                           {"公租房申请材料", "010101"},
                           {"公租房申请条件", "010101"}});
  UseModels();
  std::atomic<bool> stop{false};
  std::vector<Id> ids;
  std::mutex ids_mu;
  std::vector<std::thread> agents;
  for (int t = 0; t < 3; ++t)
    agents.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        IntakeRequest r = Rubbish();
        r.nature = Nature::kConsultation;
        r.caller_phone = "1390000" + std::to_string(1000 + t * 100 + i);
        bool existed;
        auto v = svc_->Intake(agent_, r, &existed);
        ASSERT_TRUE(v.ok()) << v.status().ToString();
        std::lock_guard lock(ids_mu);
        ids.push_back(v->order.id);
      }
    });
  for (int i = 0; i < 40; ++i) {
    svc_->SetClassifiers(i % 2 ? subject_ : other, nature_);
    std::this_thread::yield();
  }
  for (auto& t : agents) t.join();
  ASSERT_EQ(ids.size(), 45u);
  for (Id id : ids) {
    json s = Suggestion(store_->GetOrder(id).value());
    EXPECT_TRUE(s["model"] == subject_->version() || s["model"] == other->version()) << s;
  }
}

TEST_F(IntelTest, SuggestAnswersTheAgentWithoutStoringAnything) {
  UseModels();
  Intake(Rubbish());  // the caller's earlier appeal
  IntakeRequest r;
  r.content = "投诉甸柳小区3号楼下垃圾堆放多日无人清理，气味很大。";
  r.caller_phone = "13812345678";
  r.grid_id = UnitId("370112001001001");
  auto before = store_->ListOrders(OrderQuery{})->total;
  auto s = svc_->Suggest(agent_, r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(store_->ListOrders(OrderQuery{})->total, before);
  EXPECT_EQ(s->model, subject_->version());
  ASSERT_TRUE(s->subject.has_value());
  EXPECT_EQ(s->subject->code, "020101");
  ASSERT_TRUE(s->nature.has_value());
  EXPECT_EQ(s->nature->value, Nature::kComplaint);
  ASSERT_TRUE(s->dispatch && s->dispatch->lead_unit_id);
  EXPECT_EQ(*s->dispatch->lead_unit_id, UnitId("370112001"));
  ASSERT_EQ(s->caller_history.size(), 1u);
  EXPECT_EQ(s->caller_history[0].caller_phone, "138****5678");  // masked list view
  EXPECT_FALSE(s->duplicates.empty());
  // Scope: a street handler of the other street does not see the caller's order there.
  auto s2 = svc_->Suggest(s2_, r);
  ASSERT_TRUE(s2.ok());
  EXPECT_TRUE(s2->caller_history.empty());

  EXPECT_EQ(svc_->Suggest(citizen_, r).status().code(), Code::kForbidden);
  IntakeRequest empty;
  EXPECT_EQ(svc_->Suggest(agent_, empty).status().field(), "content");
  // No models: still answers duplicates and history, with no guesses.
  svc_->SetClassifiers(nullptr, nullptr);
  auto none = svc_->Suggest(agent_, r);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->subject.has_value());
  EXPECT_TRUE(none->model.empty());
  EXPECT_EQ(none->caller_history.size(), 1u);
}

}  // namespace
}  // namespace hotline
