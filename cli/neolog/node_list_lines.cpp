#include "cli/neolog/node_list_lines.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "cli/neolog/node_column.hpp"
#include "cli/neolog/python_repr.hpp"
#include "cli/neolog/time_format.hpp"

namespace neo::neolog {
namespace {

using protocol::Value;

std::optional<long double> number_of(const Value& v) {
  if (const bool* b = v.get_if<bool>()) return *b ? 1 : 0;
  if (const auto* i = v.get_if<std::int64_t>()) return static_cast<long double>(*i);
  if (const auto* u = v.get_if<std::uint64_t>()) return static_cast<long double>(*u);
  if (const auto* d = v.get_if<double>()) return *d;
  if (const auto* e = v.get_if<Value::Ext>()) return static_cast<long double>(e->value);
  return std::nullopt;
}

// Python's ==, for the values a sort key holds.
bool py_equal(const Value& a, const Value& b) {
  auto x = number_of(a), y = number_of(b);
  if (x || y) return x && y && *x == *y;
  if (a.data.index() != b.data.index()) return false;
  if (const auto* t = a.get_if<Value::Array>()) {
    const auto& u = *b.get_if<Value::Array>();
    if (t->size() != u.size()) return false;
    for (std::size_t i = 0; i < t->size(); ++i) {
      if (!py_equal((*t)[i], u[i])) return false;
    }
    return true;
  }
  return a == b;
}

// Python's <; values Python cannot order compare as "not less".
bool py_less(const Value& a, const Value& b) {
  auto x = number_of(a), y = number_of(b);
  if (x && y) return *x < *y;
  if (x || y || a.data.index() != b.data.index()) return false;
  if (const auto* s = a.get_if<Value::Bin>()) return s->bytes < b.get_if<Value::Bin>()->bytes;
  if (const auto* s = a.get_if<Value::Str>()) return s->text < b.get_if<Value::Str>()->text;
  if (const auto* t = a.get_if<Value::Array>()) {
    const auto& u = *b.get_if<Value::Array>();
    for (std::size_t i = 0; i < t->size() && i < u.size(); ++i) {
      if (!py_equal((*t)[i], u[i])) return py_less((*t)[i], u[i]);
    }
    return t->size() < u.size();
  }
  return false;
}

// Sort key of upstream: (1, address) without node id, else (0, nid).
bool key_less(const Value::Array& a, const Value::Array& b) {
  const bool a_anon = a[2].is_nil(), b_anon = b[2].is_nil();
  if (a_anon != b_anon) return !a_anon;
  const Value& x = a_anon ? a[1] : a[2];
  const Value& y = b_anon ? b[1] : b[2];
  return !py_equal(x, y) && py_less(x, y);
}

bool nid_text(const Value& v, std::string& out) {
  if (v.is_nil()) {
    out = "None";
  } else if (const auto* i = v.get_if<std::int64_t>()) {
    out = uuid_str(*i);
  } else if (const auto* u = v.get_if<std::uint64_t>()) {
    out = *u <= INT64_MAX ? uuid_str(static_cast<std::int64_t>(*u)) : "?" + std::to_string(*u);
  } else if (const bool* b = v.get_if<bool>()) {
    out = *b ? uuid_str(1) : "False";
  } else {
    return false;
  }
  return true;
}

bool address_text(const Value& v, std::string& out) {
  out.clear();
  if (!python_truthy(v)) return true;
  const auto pair = python_items(v);  // host, port = addr
  if (!pair || pair->size() != 2) return false;
  const auto* host = (*pair)[0].get_if<Value::Bin>();
  if (!host || !is_valid_utf8(host->bytes)) return false;
  const bool v6 = host->bytes.find(':') != std::string::npos;
  if (v6) out += '[';
  out += host->bytes;
  if (v6) out += ']';
  out += ':';
  append_str(out, (*pair)[1]);
  return true;
}

bool timestamp_text(const Value& v, std::string& out) {
  out.clear();
  if (!python_truthy(v)) {
    append_str(out, v);
    return true;
  }
  std::optional<std::string> text;
  if (const auto* d = v.get_if<double>()) {
    text = utc_datetime_str(*d);
  } else if (const auto* i = v.get_if<std::int64_t>()) {
    text = utc_datetime_str(*i);
  } else if (const auto* u = v.get_if<std::uint64_t>()) {
    if (*u <= INT64_MAX) text = utc_datetime_str(static_cast<std::int64_t>(*u));
  } else if (v.get_if<bool>()) {
    text = utc_datetime_str(std::int64_t{1});
  }
  if (!text) return false;
  out = std::move(*text);
  return true;
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

}  // namespace

bool append_node_list_lines(const Value& node_list, std::vector<std::string>& lines) {
  if (!python_truthy(node_list)) return true;
  const auto nodes = python_items(node_list);
  if (!nodes) return false;
  std::vector<Value::Array> all;  // each node's 5 fields
  for (const Value& node : *nodes) {
    auto fields = python_items(node);
    if (!fields || fields->size() != 5) return false;
    all.push_back(std::move(*fields));
  }
  std::vector<const Value::Array*> sorted;
  for (const Value::Array& fields : all) {
    // Stable insertion sort: safe whatever the comparisons say.
    auto pos = sorted.end();
    while (pos != sorted.begin() && key_less(fields, **(pos - 1))) --pos;
    sorted.insert(pos, &fields);
  }
  std::vector<std::array<std::string, 5>> rows(sorted.size());
  std::size_t width[4] = {};
  for (std::size_t r = 0; r < sorted.size(); ++r) {
    const Value::Array& f = *sorted[r];
    auto& row = rows[r];
    if (!nid_text(f[2], row[0]) || !address_text(f[1], row[2]) || !timestamp_text(f[4], row[4])) {
      return false;
    }
    append_str(row[1], f[0]);
    append_str(row[3], f[3]);
    for (int c = 0; c < 4; ++c) width[c] = std::max(width[c], code_points(row[c]));
  }
  for (const auto& row : rows) {
    std::string line = " ! ";
    for (int c = 0; c < 4; ++c) {
      line += row[c];
      line.append(width[c] - code_points(row[c]), ' ');
      line += " | ";
    }
    line += row[4];
    lines.push_back(std::move(line));
  }
  return true;
}

}  // namespace neo::neolog
