#include "nodes/storage/database/database.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "nodes/storage/database/database_logic.hpp"

namespace neo::storage {

CellState cell_state_of(std::int64_t pt_tid) {
  return pt_tid >= 0 ? CellState::OutOfDate : static_cast<CellState>(-pt_tid);
}

std::int64_t pt_tid_of(CellState state) { return -static_cast<std::int64_t>(state); }

bool is_readable(CellState state) {
  return state == CellState::UpToDate || state == CellState::Feeding;
}

std::string decimal_list_digest(std::span<const std::uint64_t> values) {
  std::string text;
  text.reserve(values.size() * 20);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(values[i]);
  }
  return sha1(text);
}

std::optional<std::vector<Oid>> split_oids(std::string_view column) {
  if (column.size() % 8) return std::nullopt;
  std::vector<Oid> oids;
  oids.reserve(column.size() / 8);
  for (std::size_t i = 0; i < column.size(); i += 8) oids.push_back(Oid{u64(column.substr(i, 8))});
  return oids;
}

std::string join_oids(std::span<const Oid> oids) {
  std::string column;
  column.reserve(oids.size() * 8);
  for (Oid oid : oids) column += p64(oid.value);
  return column;
}

UndoInfo resolve_undo(std::optional<Tid> undone_tid,
                      std::span<const std::pair<Tid, std::optional<Tid>>> later,
                      std::optional<Tid> ltid, Tid undo_tid, std::optional<Tid> current_tid) {
  Tid current{};
  if (current_tid) {
    current = *current_tid;
  } else {
    // The newest record the undoing transaction can see.
    auto visible = std::find_if(later.rbegin(), later.rend(),
                                [&](const auto& record) { return !ltid || record.first < *ltid; });
    if (visible != later.rend()) {
      current = visible->first;
    } else {
      if (ltid && *ltid <= undo_tid) return UndoInfo{};
      current = undo_tid;
    }
    current_tid = current;
  }
  bool is_current = current == undo_tid;
  // Follow the chains of undo-identical records so that the greatest
  // matching serial is returned (this keeps undo correct after a pack).
  for (const auto& [tid, data_tid] : later) {
    if (!data_tid) continue;
    if (undone_tid && *data_tid == *undone_tid) {
      undone_tid = tid;
    } else if (*data_tid == undo_tid) {
      if (current == tid) {
        is_current = true;
      } else {
        undo_tid = tid;
      }
    }
  }
  return UndoInfo{current_tid, undone_tid, is_current};
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<Tid> parse_hex_tid(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return Tid{value};
}

std::string dump_tid(Tid tid) { return hex(p64(tid.value)); }

}  // namespace neo::storage
