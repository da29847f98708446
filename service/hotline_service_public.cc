// Public tracking: an order found by its number and its caller's phone, for the web UI's
// citizen page without a login. See HotlineService::TrackPublic.
#include <string>
#include <string_view>

#include "service/hotline_service.h"
#include "service/pii.h"
#include "service/service_impl.h"

namespace hotline {
namespace {

std::string DigitsOf(std::string_view text) {
  std::string out;
  for (char ch : HalfWidthDigits(text))
    if (ch >= '0' && ch <= '9') out.push_back(ch);
  return out;
}

}  // namespace

Result<WorkOrder> HotlineService::TrackPublic(const std::string& no, const std::string& phone) {
  const std::string number = DigitsOf(no);
  if (number.empty() || number.size() > 32 || no.size() > 64)
    return Invalid("no", "the order number is the digits on the receipt, e.g. 2611230000656");
  const std::string digits = DigitsOf(phone);
  if (digits.size() < 7 || digits.size() > 20 || phone.size() > 64)
    return Invalid("phone", "the phone number the appeal was made with (7 to 20 digits)");
  const Status missing(Code::kNotFound, "no order with this number and phone", "no");
  auto order = impl_->store.GetOrderByNo(number);
  if (!order.ok()) return order.status().code() == Code::kNotFound ? missing : order.status();
  if (order->caller_phone.empty() || DigitsOf(order->caller_phone) != digits) return missing;
  return std::move(*order);
}

Result<WorkOrder> HotlineService::RatePublic(const std::string& no, const std::string& phone,
                                             Rating rating, const std::string& comment) {
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, TrackPublic(no, phone));
  if (comment.size() > 2000) return Invalid("comment", "at most 2000 bytes");
  // The number and the phone identify the caller: act as the citizen who filed the appeal
  // (user 0 for an appeal made by phone, which has no citizen account; see Plan()).
  const Actor caller{o.citizen_user_id.value_or(0), Role::kCitizen, 0};
  ActionInput in;
  in.action = Action::kCallback;
  in.rating = rating;
  in.text = comment;
  return impl_->Apply(caller, o, in, *impl_->Cfg(), {});
}

}  // namespace hotline
