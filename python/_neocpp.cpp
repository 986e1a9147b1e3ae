// python/_neocpp.cpp: the CPython extension module `neocpp._neocpp`, our C++
// client library (include/neo/client.hpp) for Python. The ZODB storage on
// top of it is Python (python/neocpp/storage.py); this module only converts:
// OIDs and TIDs are 8-byte big-endian `bytes` (ZODB's p64), data is `bytes`,
// an error is raised as `_neocpp.Error(code, message)` with the code of
// neo::errc (`_neocpp.errc` maps their names to the codes).
//
// Threading: the GIL is released around every call into the library (they
// block on the network), so Python threads run meanwhile. Invalidations are
// received on the library's I/O thread, which never takes the GIL: they are
// queued here and handed to Python by poll_invalidations().
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/log/log.hpp"
#include "neo/client.hpp"

namespace py = pybind11;

namespace {

using neo::Oid;
using neo::Tid;
namespace client = neo::client;

// A library error, raised in Python as _neocpp.Error.
struct NeoError {
  std::error_code ec;
  std::string message;
};

[[noreturn]] void raise(std::error_code ec) { throw NeoError{ec, ec.message()}; }

template <class T>
T value_of(neo::Result<T> result) {
  if (!result) raise(result.error());
  return std::move(*result);
}

void check(std::error_code ec) {
  if (ec) raise(ec);
}

std::uint64_t u64_of(const py::bytes& bytes) {
  std::string_view view(bytes);
  if (view.size() != 8) throw py::value_error("an OID or TID is 8 bytes");
  return neo::u64(view);
}
Oid oid_of(const py::bytes& bytes) { return Oid{u64_of(bytes)}; }
Tid tid_of(const py::bytes& bytes) { return Tid{u64_of(bytes)}; }
py::bytes p64(std::uint64_t value) { return py::bytes(neo::p64(value)); }

py::object optional_tid(const std::optional<Tid>& tid) {
  return tid ? py::object(p64(tid->value)) : py::none();
}

// (data, serial, next_serial or None), as ZODB's loadBefore.
py::tuple record_tuple(client::Record record) {
  return py::make_tuple(py::bytes(record.data), p64(record.serial.value),
                        optional_tid(record.next_serial));
}

// (tid, user, description, extension, packed, [oids]): the raw metadata.
py::list info_list(const std::vector<client::TransactionInfo>& infos) {
  py::list out;
  for (const auto& info : infos) {
    py::list oids;
    for (Oid oid : info.oids) oids.append(p64(oid.value));
    out.append(py::make_tuple(p64(info.tid.value), py::bytes(info.user),
                              py::bytes(info.description), py::bytes(info.extension), info.packed,
                              oids));
  }
  return out;
}

// [(oid, committed, base, read)]: what a vote or an undo met.
py::list conflict_list(const std::vector<client::Conflict>& conflicts) {
  py::list out;
  for (const auto& c : conflicts)
    out.append(py::make_tuple(p64(c.oid.value), p64(c.committed.value), p64(c.base.value), c.read));
  return out;
}

// Invalidations from the I/O thread, waiting for poll_invalidations():
// other clients' commits (tid, oids), and cache resets (tid, nullopt), in
// the order the library reported them.
struct Invalidations {
  std::mutex mutex;
  std::vector<std::pair<Tid, std::optional<std::vector<Oid>>>> queue;  // GUARDED_BY(mutex)
};

// Runs fn() without the GIL.
template <class Fn>
auto released(Fn fn) {
  py::gil_scoped_release release;
  return fn();
}

class PyTransaction {
 public:
  explicit PyTransaction(std::unique_ptr<client::Transaction> txn) : txn_(std::move(txn)) {}
  py::bytes ttid() const { return p64(txn().ttid().value); }
  void store(const py::bytes& oid, const py::bytes& serial, std::string data) {
    txn().store(oid_of(oid), tid_of(serial), std::move(data));
  }
  void remove(const py::bytes& oid, const py::bytes& serial) {
    txn().remove(oid_of(oid), tid_of(serial));
  }
  void check_current_serial(const py::bytes& oid, const py::bytes& serial) {
    txn().check_current_serial(oid_of(oid), tid_of(serial));
  }
  void flush() { txn().flush(); }
  // [] once voted; the conflicts to resolve (then store and vote again).
  py::list vote() {
    return conflicts_or_raise(released([&] { return txn().vote(); }));
  }
  py::list undo(const py::bytes& tid) {
    const Tid undone = tid_of(tid);
    return conflicts_or_raise(released([&] { return txn().undo(undone); }));
  }
  py::bytes finish() {
    return p64(value_of(released([&] { return txn().finish(); })).value);
  }
  void abort() {
    if (txn_) txn_->abort();
    txn_.reset();
  }

 private:
  client::Transaction& txn() const {
    if (!txn_) raise(make_error_code(neo::errc::transaction_failed));
    return *txn_;
  }
  py::list conflicts_or_raise(std::error_code ec) {
    if (ec == neo::errc::conflict || ec == neo::errc::read_conflict)
      return conflict_list(txn().conflicts());
    check(ec);
    return py::list();
  }
  std::unique_ptr<client::Transaction> txn_;
};

class PyClient {
  // Runs fn(client) without the GIL.
  template <class Fn>
  auto released(Fn fn) {
    if (!client_) raise(make_error_code(neo::errc::connection_closed));
    client::Client& c = *client_;
    py::gil_scoped_release release;
    return fn(c);
  }

 public:
  explicit PyClient(client::Options options) : invalidations_(std::make_shared<Invalidations>()) {
    py::gil_scoped_release release;
    client_ = value_of(client::Client::connect(std::move(options)));
    client_->on_invalidation([queue = invalidations_](Tid tid, std::span<const Oid> oids) {
      std::lock_guard lock(queue->mutex);
      queue->queue.emplace_back(tid, std::vector<Oid>(oids.begin(), oids.end()));
    });
    client_->on_cache_reset([queue = invalidations_](Tid last) {
      std::lock_guard lock(queue->mutex);
      queue->queue.emplace_back(last, std::nullopt);
    });
  }
  ~PyClient() { close(); }

  void close() {
    py::gil_scoped_release release;
    client_.reset();  // joins the I/O thread
  }
  py::tuple load(const py::bytes& oid) {
    const Oid o = oid_of(oid);
    return record_tuple(value_of(released([&](client::Client& c) { return c.load(o); })));
  }
  py::tuple load_before(const py::bytes& oid, const py::bytes& before) {
    const Oid o = oid_of(oid);
    const Tid t = tid_of(before);
    return record_tuple(value_of(released([&](client::Client& c) { return c.load_before(o, t); })));
  }
  py::tuple load_serial(const py::bytes& oid, const py::bytes& serial) {
    const Oid o = oid_of(oid);
    const Tid t = tid_of(serial);
    return record_tuple(value_of(released([&](client::Client& c) { return c.load_serial(o, t); })));
  }
  py::bytes new_oid() {
    return p64(value_of(released([](client::Client& c) { return c.new_oid(); })).value);
  }
  py::bytes last_transaction() {
    return p64(value_of(released([](client::Client& c) { return c.last_transaction(); })).value);
  }
  py::bytes last_tid() {
    return p64(value_of(released([](client::Client& c) { return c.last_tid(); })).value);
  }
  void sync() {
    check(released([](client::Client& c) { return c.sync(); }));
  }
  py::list history(const py::bytes& oid, std::size_t size) {
    const Oid o = oid_of(oid);
    auto entries = value_of(released([&](client::Client& c) { return c.history(o, size); }));
    py::list out;
    for (const auto& entry : entries)
      out.append(py::make_tuple(p64(entry.serial.value), entry.size));
    return out;
  }
  py::list undo_log(std::size_t first, std::size_t last) {
    return info_list(
        value_of(released([&](client::Client& c) { return c.undo_log(first, last); })));
  }
  py::list transactions(const py::bytes& start, const py::bytes& stop, std::size_t limit) {
    const Tid from = tid_of(start), to = tid_of(stop);
    return info_list(
        value_of(released([&](client::Client& c) { return c.transactions(from, to, limit); })));
  }
  // [(oid, data or None, data_serial or None)] of transaction `tid`.
  py::list revisions(const py::bytes& tid, const std::vector<py::bytes>& oids) {
    const Tid t = tid_of(tid);
    std::vector<Oid> wanted;
    for (const auto& oid : oids) wanted.push_back(oid_of(oid));
    auto revisions = value_of(released([&](client::Client& c) { return c.revisions(t, wanted); }));
    py::list out;
    for (const auto& r : revisions)
      out.append(py::make_tuple(p64(r.oid.value),
                                r.data ? py::object(py::bytes(*r.data)) : py::none(),
                                optional_tid(r.data_serial)));
    return out;
  }
  // [(tid, [oids])] received since the last call, oldest first; (tid,
  // None) where the library emptied its cache (invalidations missed, tid the
  // cluster's last).
  py::list poll_invalidations() {
    decltype(invalidations_->queue) queue;
    {
      std::lock_guard lock(invalidations_->mutex);
      queue.swap(invalidations_->queue);
    }
    py::list out;
    for (const auto& [tid, oids] : queue) {
      if (!oids) {
        out.append(py::make_tuple(p64(tid.value), py::none()));
        continue;
      }
      py::list list;
      for (Oid oid : *oids) list.append(p64(oid.value));
      out.append(py::make_tuple(p64(tid.value), list));
    }
    return out;
  }
  PyTransaction begin(std::string user, std::string description, std::string extension,
                      std::optional<py::bytes> tid) {
    std::optional<Tid> imposed;
    if (tid) imposed = tid_of(*tid);
    client::Metadata metadata{std::move(user), std::move(description), std::move(extension)};
    return PyTransaction(value_of(
        released([&](client::Client& c) { return c.begin(std::move(metadata), imposed); })));
  }
  void pack(const py::bytes& tid, bool wait) {
    const Tid t = tid_of(tid);
    check(released([&](client::Client& c) { return c.pack(t, wait); }));
  }
  py::dict cache_stats() {
    const client::CacheStats stats = released([](client::Client& c) { return c.cache_stats(); });
    py::dict out;
    out["hits"] = stats.hits;
    out["misses"] = stats.misses;
    out["bytes"] = stats.bytes;
    out["records"] = stats.records;
    return out;
  }

 private:
  std::shared_ptr<Invalidations> invalidations_;
  std::unique_ptr<client::Client> client_;
};

client::Options make_options(std::vector<std::string> masters, std::string cluster, std::string ca,
                             std::string cert, std::string key, std::size_t cache_bytes,
                             double timeout_s, bool read_only, bool compress) {
  client::Options options;
  options.masters = std::move(masters);
  options.cluster = std::move(cluster);
  options.ca = std::move(ca);
  options.cert = std::move(cert);
  options.key = std::move(key);
  options.cache_bytes = cache_bytes;
  options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000));
  options.read_only = read_only;
  options.compress = compress;
  return options;
}

// The codes Python reacts to, by name (neo::errc's own names).
constexpr std::pair<neo::errc, const char*> kCodes[] = {
    {neo::errc::denied, "denied"},
    {neo::errc::not_ready, "not_ready"},
    {neo::errc::oid_not_found, "oid_not_found"},
    {neo::errc::tid_not_found, "tid_not_found"},
    {neo::errc::oid_does_not_exist, "oid_does_not_exist"},
    {neo::errc::protocol_error, "protocol_error"},
    {neo::errc::non_readable_cell, "non_readable_cell"},
    {neo::errc::read_only_access, "read_only_access"},
    {neo::errc::incomplete_transaction, "incomplete_transaction"},
    {neo::errc::undo_pack_error, "undo_pack_error"},
    {neo::errc::connection_closed, "connection_closed"},
    {neo::errc::timed_out, "timed_out"},
    {neo::errc::frame_too_large, "frame_too_large"},
    {neo::errc::version_mismatch, "version_mismatch"},
    {neo::errc::not_neo, "not_neo"},
    {neo::errc::tls_error, "tls_error"},
    {neo::errc::invalid_argument, "invalid_argument"},
    {neo::errc::conflict, "conflict"},
    {neo::errc::read_conflict, "read_conflict"},
    {neo::errc::wrong_checksum, "wrong_checksum"},
    {neo::errc::no_data, "no_data"},
    {neo::errc::transaction_failed, "transaction_failed"},
};

// _neocpp.Error(code, message): code is a neo::errc value, -1 for a system
// error (its message says which).
void add_errors(py::module_& m) {
  static py::exception<NeoError> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const NeoError& e) {
      const bool ours = e.ec.category() == neo::neo_category();
      py::tuple args = py::make_tuple(ours ? e.ec.value() : -1, e.message);
      PyErr_SetObject(error.ptr(), args.ptr());
    }
  });
  py::dict codes;
  for (const auto& [code, name] : kCodes) codes[name] = static_cast<int>(code);
  m.attr("errc") = codes;
}

// The library's log: warnings and worse on stderr, and with `logfile`
// every record in a SQLite log as NEO/py's (neolog reads it; NEO/py's
// client's `logfile`). Once per process: a new call replaces the previous.
void setup_log(const std::string& logfile) {
  neo::log::Options options;
  options.logfile = logfile;
  options.console_level = neo::log::Level::Warning;
  neo::log::setup("neocpp", options);
}

}  // namespace

PYBIND11_MODULE(_neocpp, m) {
  m.doc() = "NEO's C++ client library (neo-cpp), for neocpp.Storage";
  add_errors(m);
  setup_log("");
  m.def("setup_log", &setup_log, py::arg("logfile"));
  py::class_<PyTransaction>(m, "Transaction")
      .def_property_readonly("ttid", &PyTransaction::ttid)
      .def("store", &PyTransaction::store)
      .def("remove", &PyTransaction::remove)
      .def("check_current_serial", &PyTransaction::check_current_serial)
      .def("flush", &PyTransaction::flush)
      .def("vote", &PyTransaction::vote)
      .def("undo", &PyTransaction::undo)
      .def("finish", &PyTransaction::finish)
      .def("abort", &PyTransaction::abort);
  py::class_<PyClient>(m, "Client")
      .def(py::init([](std::vector<std::string> masters, std::string cluster, std::string ca,
                       std::string cert, std::string key, std::size_t cache_bytes, double timeout,
                       bool read_only, bool compress) {
             return std::make_unique<PyClient>(make_options(std::move(masters), std::move(cluster),
                                                            ca, cert, key, cache_bytes, timeout,
                                                            read_only, compress));
           }),
           py::arg("masters"), py::arg("cluster"), py::arg("ca") = "", py::arg("cert") = "",
           py::arg("key") = "", py::arg("cache_bytes") = 20 << 20, py::arg("timeout") = 60.0,
           py::arg("read_only") = false, py::arg("compress") = true)
      .def("close", &PyClient::close)
      .def("load", &PyClient::load)
      .def("load_before", &PyClient::load_before)
      .def("load_serial", &PyClient::load_serial)
      .def("new_oid", &PyClient::new_oid)
      .def("last_transaction", &PyClient::last_transaction)
      .def("last_tid", &PyClient::last_tid)
      .def("sync", &PyClient::sync)
      .def("history", &PyClient::history)
      .def("undo_log", &PyClient::undo_log)
      .def("transactions", &PyClient::transactions, py::arg("start"), py::arg("stop"),
           py::arg("limit") = 100)
      .def("revisions", &PyClient::revisions)
      .def("poll_invalidations", &PyClient::poll_invalidations)
      .def("begin", &PyClient::begin, py::arg("user") = "", py::arg("description") = "",
           py::arg("extension") = "", py::arg("tid") = py::none())
      .def("pack", &PyClient::pack, py::arg("tid"), py::arg("wait") = false)
      .def("cache_stats", &PyClient::cache_stats);
}
