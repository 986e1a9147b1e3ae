// LogFile's handling of damaged databases: skipping damaged pages (see
// recover()) and, in follow mode, waiting out a busy database.
#include <string>

#include "cli/neolog/diagnostics.hpp"
#include "cli/neolog/log_reader.hpp"
#include "cli/neolog/time_format.hpp"

namespace neo::neolog {

// Whether the first row after `after` reads (all its columns: a damaged
// overflow page only shows when the body is read).
int LogFile::probe(const std::string& table, double after) {
  const std::string sql = "SELECT * FROM \"" + table + "\" WHERE date>?1 ORDER BY date LIMIT 1";
  sqlite::Statement stmt = db_.prepare(sql);
  if (!stmt) return db_.errcode();
  stmt.bind_double(1, after);
  return stmt.step();
}

// A scan failed on a damaged page: find, by seeking further and further
// (then bisecting), the first date from which the table reads again, and
// go on from there. The records in between are reported as lost.
// Follow mode: a database locked by a writer, or with a journal we may not
// roll back, is read again at the next pass (once said, on stderr).
bool LogFile::transient(int code) {
  if (!options_.follow ||
      (code != SQLITE_BUSY && code != SQLITE_LOCKED && code != SQLITE_READONLY)) {
    return false;
  }
  if (!busy_warned_) {
    diag_.warning(display_, "cannot read now (" + db_.error() + "); trying again at each pass");
    busy_warned_ = true;
  }
  return true;
}

bool LogFile::recover(Table& t, Cursor& c) {
  constexpr int kMaxRecoveries = 100;  // per table and pass
  constexpr int kReported = 3;         // gaps reported one by one
  const int code = db_.errcode() & 0xff;
  if (transient(code)) return false;
  const double start = t.last_date.value_or(options_.from.value_or(0));
  const std::string from_text = describe_date(start);
  if (code != SQLITE_CORRUPT || t.recoveries >= kMaxRecoveries) {
    report_sqlite("reading table '" + c.table + "' failed after date " + from_text +
                  "; the rest of this table was skipped");
    return false;
  }
  double bad = start, good = 0;
  int rc = SQLITE_CORRUPT;
  for (double step = 1e-3; step < 1e12; step *= 2) {
    rc = probe(c.table, start + step);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
      good = start + step;
      break;
    }
    bad = start + step;
  }
  if (rc == SQLITE_ROW) {
    for (int i = 0; i < 64 && bad < good; ++i) {
      const double mid = bad + (good - bad) / 2;
      if (mid <= bad || mid >= good) break;
      const int r = probe(c.table, mid);
      (r == SQLITE_ROW || r == SQLITE_DONE ? good : bad) = mid;
    }
  }
  if (++t.recoveries <= kReported) {
    std::string what = "table '" + c.table + "' is damaged: records dated after " + from_text;
    what += rc == SQLITE_ROW ? " and up to " + describe_date(good) + " could not be read"
                             : " could not be read";
    diag_.error(display_, what + " (to salvage more: sqlite3 '" + display_ +
                              "' .recover | sqlite3 recovered.log; then: neolog recovered.log)");
  }
  if (rc != SQLITE_ROW) return false;
  sqlite::Statement stmt = statement(t, c.table, c.format, good);
  if (!stmt) return false;
  c.stmt = std::move(stmt);  // finalizes the failed one
  t.last_date = good;        // what is not after it is lost: the next recovery starts further
  return true;
}

}  // namespace neo::neolog
