// Open311 client systems and their API keys (docs/open311.md "Keys"). Each client system (a
// city app, a mini-program, a FixMyStreet install) gets its own key; the store keeps only the
// key's digest (BLAKE2b-256, as for session tokens), a label naming the channel the client
// stands for, and the client's rate limit. Admins create, list and revoke keys (audited).
// The keys live in the store document "open311_clients" (no table of their own: a handful of
// rows written by hand).
// Thread-safety: all functions may be called concurrently; writes are serialised.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"
#include "service/hotline_service.h"

namespace hotline {

struct Open311Client {
  Id id = 0;
  std::string name;           // "城市服务App", unique among active clients
  std::string channel_label;  // what the client stands for ("wechat_miniprogram"), shown on orders
  int rate_per_minute = 60;   // POST requests per minute. Default: 60 (1..6000)
  std::string key_prefix;     // the key's first 6 characters, to tell keys apart in lists
  std::string digest;         // TokenDigest(key); never rendered
  Timestamp created_at = 0;
  Id created_by = 0;
  std::optional<Timestamp> revoked_at;
};

struct NewOpen311Client {
  Open311Client client;
  std::string key;  // shown once, at creation
};

// Admin only. Errors name the field: name (blank, over 100 bytes, taken), channel_label (blank,
// over 64 bytes), rate_per_minute (1..6000). Audited "open311_key_create".
Result<NewOpen311Client> CreateOpen311Client(HotlineService& svc, const Actor& actor,
                                             const std::string& name,
                                             const std::string& channel_label, int rate_per_minute);
// Admin only; every client, revoked ones too, newest first.
Result<std::vector<Open311Client>> ListOpen311Clients(HotlineService& svc, const Actor& actor);
// Admin only; kNotFound (field "id") for an unknown client. Revoking twice is a no-op.
// Audited "open311_key_revoke".
Result<Open311Client> RevokeOpen311Client(HotlineService& svc, const Actor& actor, Id id);
// The active client whose key this is; nullopt for an empty, unknown or revoked key.
Result<std::optional<Open311Client>> FindOpen311Client(HotlineService& svc, const std::string& key);

}  // namespace hotline
