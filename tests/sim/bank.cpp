#include "tests/sim/bank.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

namespace neo::sim {

using client::Reply;

namespace {

// Runs the loop until `call`'s reply comes, at most until `limit`; an
// error errc::timed_out if it did not come.
template <class T>
Result<T> await(Loop& loop, Time limit, const std::function<void(Reply<T>)>& call) {
  std::optional<Result<T>> got;
  call([&got](Result<T> r) { got.emplace(std::move(r)); });
  if (!loop.run_until([&] { return got.has_value(); }, limit))
    return make_error_code(errc::timed_out);
  return std::move(*got);
}

std::error_code await_done(Loop& loop, Time limit, const std::function<void(client::Done)>& call) {
  Result<bool> r = await<bool>(loop, limit, [&](Reply<bool> reply) {
    call([reply](std::error_code ec) {
      if (ec) return reply(ec);
      reply(true);
    });
  });
  return r ? std::error_code{} : r.error();
}

std::string append(const std::string& log, std::uint64_t seq) {
  return log + std::to_string(seq) + ",";
}

std::vector<std::uint64_t> parse_log(const std::string& log) {
  std::vector<std::uint64_t> out;
  std::istringstream in(log);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoull(item));
  return out;
}

}  // namespace

// One transfer in flight.
struct Bank::Transfer {
  Teller* teller;
  Oid from{}, to{};
  std::int64_t amount = 0;
  std::uint64_t seq = 0;
  client::Record from_record{}, to_record{}, log_record{};
  Tid ttid{};
  std::map<Oid, std::string> stored{};
};

Bank::Bank(Cluster& cluster, BankConfig config) : cluster_(cluster), config_(config) {
  for (int i = 0; i < config_.tellers; ++i) {
    Teller teller;
    teller.node = cluster_.make_client("C" + std::to_string(i));
    tellers_.push_back(std::move(teller));
  }
}

Bank::~Bank() {
  for (Teller& teller : tellers_) teller.node->shut_down();
}

bool Bank::setup(Time limit) {
  for (Teller& teller : tellers_) teller.node->start();
  client::ClientState& s = tellers_[0].node->state();
  Loop& loop = cluster_.loop();
  const Time end = loop.now() + limit;
  if (await_done(loop, end, [&](client::Done done) { s.when_ready(done); })) return false;
  const int objects = config_.accounts + config_.tellers;
  std::vector<Oid> oids;
  for (int i = 0; i < objects; ++i) {
    Result<Oid> oid = await<Oid>(loop, end, [&](Reply<Oid> r) { s.new_oid(r); });
    if (!oid) return false;
    oids.push_back(*oid);
  }
  Result<Tid> ttid = await<Tid>(loop, end, [&](Reply<Tid> r) { s.begin({}, std::nullopt, r); });
  if (!ttid) return false;
  Commit commit;
  for (int i = 0; i < objects; ++i) {
    const std::string data = i < config_.accounts ? std::to_string(config_.balance) : "";
    s.store(*ttid, client::make_store(oids[i], Tid{}, data, false));
    commit.data[oids[i]] = data;
  }
  Result<bool> voted = await<bool>(loop, end, [&](Reply<bool> reply) {
    s.vote(*ttid, [reply](std::error_code ec, std::vector<client::Conflict> conflicts) {
      if (!ec && !conflicts.empty()) ec = make_error_code(errc::conflict);
      if (ec) return reply(ec);
      reply(true);
    });
  });
  if (!voted) return s.abort(*ttid), false;
  Result<Tid> tid = await<Tid>(loop, end, [&](Reply<Tid> r) { s.finish(*ttid, r); });
  if (!tid) return false;
  commit.tid = *tid;
  commits_.push_back(std::move(commit));
  accounts_.assign(oids.begin(), oids.begin() + config_.accounts);
  for (int i = 0; i < config_.tellers; ++i) tellers_[i].log = oids[config_.accounts + i];
  return true;
}

void Bank::start() {
  for (Teller& teller : tellers_) next(teller, Time(0));
}

bool Bank::idle() const {
  for (const Teller& teller : tellers_)
    if (teller.busy) return false;
  return true;
}

void Bank::next(Teller& teller, Time delay) {
  teller.busy = !stopping_;
  if (stopping_) return;
  cluster_.loop().after(delay, [this, &teller] { transfer(teller); });
}

void Bank::retry(Teller& teller, Tid ttid) {
  ++stats_.retried;
  if (ttid != Tid{}) teller.node->state().abort(ttid);
  next(teller, cluster_.loop().uniform(Time(std::chrono::milliseconds(1)),
                                       Time(std::chrono::milliseconds(50))));
}

void Bank::transfer(Teller& teller) {
  if (stopping_) {
    teller.busy = false;
    return;
  }
  Loop& loop = cluster_.loop();
  auto t = std::make_shared<Transfer>();
  t->teller = &teller;
  t->from = accounts_[loop.uniform(0, accounts_.size() - 1)];
  do t->to = accounts_[loop.uniform(0, accounts_.size() - 1)];
  while (t->to == t->from);
  t->amount = static_cast<std::int64_t>(loop.uniform(1, 20));
  client::ClientState& s = teller.node->state();
  s.when_ready([this, t, &s](std::error_code ec) {
    if (ec) return retry(*t->teller, {});
    load_all(t);
  });
}

void Bank::load_all(std::shared_ptr<Transfer> t) {
  client::ClientState& s = t->teller->node->state();
  s.load(t->from, std::nullopt, std::nullopt, [this, t, &s](Result<client::Record> from) {
    if (!from) return retry(*t->teller, {});
    t->from_record = *from;
    s.load(t->to, std::nullopt, std::nullopt, [this, t, &s](Result<client::Record> to) {
      if (!to) return retry(*t->teller, {});
      t->to_record = *to;
      s.load(t->teller->log, std::nullopt, std::nullopt, [this, t, &s](Result<client::Record> log) {
        if (!log) return retry(*t->teller, {});
        t->log_record = *log;
        s.begin({}, std::nullopt, [this, t, &s](Result<Tid> ttid) {
          if (!ttid) return retry(*t->teller, {});
          t->ttid = *ttid;
          t->seq = t->teller->next_seq++;
          t->stored = {{t->from, std::to_string(std::stoll(t->from_record.data) - t->amount)},
                       {t->to, std::to_string(std::stoll(t->to_record.data) + t->amount)},
                       {t->teller->log, append(t->log_record.data, t->seq)}};
          const std::map<Oid, Tid> serials{{t->from, t->from_record.serial},
                                           {t->to, t->to_record.serial},
                                           {t->teller->log, t->log_record.serial}};
          for (const auto& [oid, data] : t->stored)
            s.store(t->ttid, client::make_store(oid, serials.at(oid), data, false));
          s.vote(t->ttid, [this, t](std::error_code ec, std::vector<client::Conflict> conflicts) {
            if (ec || !conflicts.empty()) return retry(*t->teller, t->ttid);
            voted(t);
          });
        });
      });
    });
  });
}

void Bank::voted(std::shared_ptr<Transfer> t) {
  t->teller->node->state().finish(t->ttid, [this, t](Result<Tid> tid) {
    Teller& teller = *t->teller;
    if (!tid) {
      ++stats_.doubtful;
      teller.doubtful.push_back(t->seq);
      return next(teller, config_.think);
    }
    ++stats_.committed;
    teller.confirmed.push_back(t->seq);
    commits_.push_back(Commit{*tid, std::move(t->stored)});
    next(teller, config_.think);
  });
}

std::vector<std::string> Bank::check(Time limit) {
  std::vector<std::string> failures;
  Loop& loop = cluster_.loop();
  const Time end = loop.now() + limit;
  std::unique_ptr<client::ClientNode> checker = cluster_.make_client("checker");
  checker->start();
  client::ClientState& s = checker->state();
  if (std::error_code ec = await_done(loop, end, [&](client::Done d) { s.when_ready(d); }))
    return {"the checker could not connect: " + ec.message()};
  auto load = [&](Oid oid, std::optional<Tid> at,
                  std::optional<Tid> before) -> Result<client::Record> {
    return await<client::Record>(loop, end,
                                 [&](Reply<client::Record> r) { s.load(oid, at, before, r); });
  };
  for (const Commit& commit : commits_) {
    for (const auto& [oid, data] : commit.data) {
      Result<client::Record> got = load(oid, commit.tid, std::nullopt);
      if (!got || got->data != data)
        failures.push_back(
            "confirmed commit " + to_string(commit.tid) + " of oid " + to_string(oid) +
            " does not read back: " +
            (got ? "'" + got->data + "' instead of '" + data + "'" : got.error().message()));
    }
    // The balances as of this commit: a half-visible transaction would
    // change their total.
    std::int64_t total = 0;
    for (Oid account : accounts_) {
      Result<client::Record> got = load(account, std::nullopt, Tid{commit.tid.value + 1});
      if (!got) {
        failures.push_back("cannot read account " + to_string(account) + " before " +
                           to_string(commit.tid) + ": " + got.error().message());
        break;
      }
      total += std::stoll(got->data);
    }
    if (total != config_.balance * config_.accounts)
      failures.push_back("total " + std::to_string(total) + " as of " + to_string(commit.tid));
    if (failures.size() > 20) return failures;
  }
  for (Teller& teller : tellers_) {
    Result<client::Record> log = load(teller.log, std::nullopt, std::nullopt);
    if (!log) {
      failures.push_back("cannot read a log: " + log.error().message());
      continue;
    }
    std::vector<std::uint64_t> seqs = parse_log(log->data);
    std::size_t c = 0;
    for (std::uint64_t seq : seqs) {
      if (c < teller.confirmed.size() && seq == teller.confirmed[c]) {
        ++c;
      } else if (std::find(teller.doubtful.begin(), teller.doubtful.end(), seq) ==
                 teller.doubtful.end()) {
        failures.push_back("log " + to_string(teller.log) + " holds transfer " +
                           std::to_string(seq) + ", never confirmed nor in doubt");
      }
    }
    if (c != teller.confirmed.size())
      failures.push_back("log " + to_string(teller.log) + " lacks confirmed transfer " +
                         std::to_string(teller.confirmed[c]));
  }
  checker->shut_down();
  return failures;
}

}  // namespace neo::sim
