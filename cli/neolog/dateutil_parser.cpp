#include "cli/neolog/dateutil_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <map>
#include <vector>

namespace neo::neolog {
namespace {

// Raised anywhere dateutil would raise ValueError or IndexError.
struct ParseFailure {};

[[noreturn]] void fail() { throw ParseFailure{}; }

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Non-ASCII bytes count as letters (Python's isalpha() of most of them).
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80); }
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// Python's int(text) for the tokens dateutil converts.
std::int64_t py_int(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && is_digit(s[i - 1]) && is_digit(s[i + 1]))
      continue;
    if (!is_digit(s[i])) fail();
    digits += s[i];
  }
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) fail();
  return neg ? -v : v;
}

// A non-negative decimal number as the lexer produces them ("21", "21.5").
struct Decimal {
  std::int64_t ip = 0;   // integer part
  std::int64_t num = 0;  // fraction = num / 10^digits
  int digits = 0;
  bool has_fraction() const { return num != 0; }
  bool gt(std::int64_t v) const { return ip > v || (ip == v && num != 0); }
  bool le(std::int64_t v) const { return ip < v || (ip == v && num == 0); }
  // int(n * (self % 1))
  std::int64_t scaled_fraction(std::int64_t n) const {
    __int128 p = static_cast<__int128>(num) * n;
    for (int i = 0; i < digits; ++i) p /= 10;
    return static_cast<std::int64_t>(p);
  }
};

Decimal to_decimal(std::string_view s) {
  const auto dot = s.find('.');
  const std::string_view ip = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if ((!ip.empty() && !all_digits(ip)) || (!frac.empty() && !all_digits(frac)) ||
      (ip.empty() && frac.empty())) {
    fail();
  }
  Decimal d;
  if (!ip.empty()) d.ip = py_int(ip);
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  if (frac.size() > 17) frac = frac.substr(0, 17);  // far below a microsecond
  if (!frac.empty()) d.num = py_int(frac);
  d.digits = static_cast<int>(frac.size());
  return d;
}

// ---- dateutil's lexer ----

std::vector<std::string> split_tokens(std::string_view s) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  auto peek = [&]() -> int {
    while (i < s.size() && s[i] == '\0') ++i;
    return i < s.size() ? static_cast<unsigned char>(s[i]) : -1;
  };
  for (;;) {
    int c = peek();
    if (c < 0) break;
    std::string token(1, static_cast<char>(c));
    ++i;
    char state = 0;  // 'a' word, '0' number, 'A' word with dots, 'N' number with dots
    bool seen_letters = false;
    if (is_alpha(static_cast<char>(c))) {
      state = 'a';
    } else if (is_digit(static_cast<char>(c))) {
      state = '0';
    } else {
      if (is_space(static_cast<char>(c))) token = " ";
      tokens.push_back(token);
      continue;
    }
    while ((c = peek()) >= 0) {
      const char ch = static_cast<char>(c);
      bool take = false;
      if (state == 'a') {
        seen_letters = true;
        if (is_alpha(ch)) {
          take = true;
        } else if (ch == '.') {
          take = true, state = 'A';
        }
      } else if (state == '0') {
        if (is_digit(ch)) {
          take = true;
        } else if (ch == '.' || (ch == ',' && token.size() >= 2)) {
          take = true, state = 'N';
        }
      } else if (state == 'A') {
        seen_letters = true;
        if (ch == '.' || is_alpha(ch)) {
          take = true;
        } else if (is_digit(ch) && token.back() == '.') {
          take = true, state = 'N';
        }
      } else {  // 'N'
        if (ch == '.' || is_digit(ch)) {
          take = true;
        } else if (is_alpha(ch) && token.back() == '.') {
          take = true, state = 'A';
        }
      }
      if (!take) break;
      token += ch;
      ++i;
    }
    if ((state == 'A' || state == 'N') &&
        (seen_letters || std::count(token.begin(), token.end(), '.') > 1 || token.back() == '.' ||
         token.back() == ',')) {
      // Split at each '.' or ',' keeping the separators as tokens.
      std::size_t start = 0;
      bool first = true;
      for (std::size_t j = 0; j <= token.size(); ++j) {
        if (j == token.size() || token[j] == '.' || token[j] == ',') {
          std::string part = token.substr(start, j - start);
          if (first || !part.empty()) tokens.push_back(part);
          first = false;
          if (j < token.size()) tokens.emplace_back(1, token[j]);
          start = j + 1;
        }
      }
      continue;
    }
    if (state == 'N' && token.find('.') == std::string::npos) {
      std::replace(token.begin(), token.end(), ',', '.');
    }
    tokens.push_back(token);
  }
  return tokens;
}

// ---- dateutil's parserinfo ----

const std::map<std::string, int>& table(int which) {
  static const std::map<std::string, int> kJump = {
      {" ", 0}, {".", 0},  {",", 0},  {";", 0},   {"-", 0},  {"/", 0},
      {"'", 0}, {"at", 0}, {"on", 0}, {"and", 0}, {"ad", 0}, {"m", 0},
      {"t", 0}, {"of", 0}, {"st", 0}, {"nd", 0},  {"rd", 0}, {"th", 0}};
  static const std::map<std::string, int> kWeekdays = {
      {"mon", 0},       {"monday", 0},   {"tue", 1},      {"tuesday", 1}, {"wed", 2},
      {"wednesday", 2}, {"thu", 3},      {"thursday", 3}, {"fri", 4},     {"friday", 4},
      {"sat", 5},       {"saturday", 5}, {"sun", 6},      {"sunday", 6}};
  static const std::map<std::string, int> kMonths = {
      {"jan", 1},  {"january", 1},  {"feb", 2},    {"february", 2},  {"mar", 3},  {"march", 3},
      {"apr", 4},  {"april", 4},    {"may", 5},    {"jun", 6},       {"june", 6}, {"jul", 7},
      {"july", 7}, {"aug", 8},      {"august", 8}, {"sep", 9},       {"sept", 9}, {"september", 9},
      {"oct", 10}, {"october", 10}, {"nov", 11},   {"november", 11}, {"dec", 12}, {"december", 12}};
  static const std::map<std::string, int> kHms = {{"h", 0}, {"hour", 0},   {"hours", 0},
                                                  {"m", 1}, {"minute", 1}, {"minutes", 1},
                                                  {"s", 2}, {"second", 2}, {"seconds", 2}};
  static const std::map<std::string, int> kAmPm = {{"am", 0}, {"a", 0}, {"pm", 1}, {"p", 1}};
  static const std::map<std::string, int> kUtc = {{"utc", 0}, {"gmt", 0}, {"z", 0}};
  static const std::map<std::string, int> kPertain = {{"of", 0}};
  static const std::map<std::string, int>* kTables[] = {&kJump, &kWeekdays, &kMonths, &kHms,
                                                        &kAmPm, &kUtc,      &kPertain};
  return *kTables[which];
}
enum { kJump, kWeekday, kMonth, kHms, kAmPm, kUtcZone, kPertain };

std::optional<int> lookup(int which, std::string_view name) {
  const auto& t = table(which);
  auto it = t.find(lower(name));
  if (it == t.end()) return std::nullopt;
  return it->second;
}
bool jump(std::string_view s) { return lookup(kJump, s).has_value(); }
std::optional<int> hms(std::string_view s) { return lookup(kHms, s); }
std::optional<int> ampm(std::string_view s) { return lookup(kAmPm, s); }
std::optional<int> month(std::string_view s) { return lookup(kMonth, s); }
bool utczone(std::string_view s) { return lookup(kUtcZone, s).has_value(); }
bool in_utczone_list(std::string_view s) {
  return s == "UTC" || s == "GMT" || s == "Z" || s == "z";
}

int days_in_month(std::int64_t year, std::int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) fail();
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return kDays[m - 1] + (m == 2 && leap);
}

int current_year() {
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  localtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

// ---- dateutil's _ymd ----

struct Ymd {
  std::vector<std::int64_t> values;
  bool century_specified = false;
  std::optional<std::size_t> y, m, d;  // indexes known to be year, month, day

  void append_value(std::int64_t v, char label, bool year_like) {
    if (year_like) {
      century_specified = true;
      if (label != 0 && label != 'Y') fail();
      label = 'Y';
    }
    values.push_back(v);
    std::optional<std::size_t>* slot = label == 'M'   ? &m
                                       : label == 'D' ? &d
                                       : label == 'Y' ? &y
                                                      : nullptr;
    if (slot) {
      if (*slot) fail();
      *slot = values.size() - 1;
    }
  }
  void append(std::string_view s, char label = 0) {
    append_value(py_int(s), label, all_digits(s) && s.size() > 2);
  }
  void append(const Decimal& v, char label = 0) { append_value(v.ip, label, v.gt(100)); }
  void append(std::int64_t v, char label = 0) { append_value(v, label, v > 100); }

  bool could_be_day(const Decimal& v) const {
    if (d) return false;
    std::int64_t max = 31;
    if (m) max = days_in_month(y ? values[*y] : 2000, values[*m]);
    return v.ip >= 1 && v.le(max);
  }

  void resolve(std::optional<std::int64_t>& year, std::optional<std::int64_t>& mon,
               std::optional<std::int64_t>& day) const {
    const std::size_t n = values.size();
    std::size_t known = (y ? 1 : 0) + (m ? 1 : 0) + (d ? 1 : 0);
    if ((n == known && known > 0) || (n == 3 && known == 2)) {
      std::optional<std::size_t> iy = y, im = m, id = d;
      if (n == 3 && known == 2) {
        std::size_t missing = 0;
        while (missing == iy || missing == im || missing == id) ++missing;
        (!iy ? iy : !im ? im : id) = missing;
      }
      if (iy) year = values[*iy];
      if (im) mon = values[*im];
      if (id) day = values[*id];
      return;
    }
    const auto& v = values;
    if (n > 3) fail();
    if (n == 1 || (m && n == 2)) {
      std::int64_t other = v[0];
      if (m) {
        mon = v[*m];
        other = v[*m == 0 ? n - 1 : 0];  // the other member
      }
      if (n > 1 || !m) (other > 31 ? year : day) = other;
    } else if (n == 2) {
      if (v[0] > 31) {
        year = v[0], mon = v[1];
      } else if (v[1] > 31) {
        mon = v[0], year = v[1];
      } else {
        mon = v[0], day = v[1];
      }
    } else if (n == 3) {
      if (m == 0u) {
        if (v[1] > 31) {
          mon = v[0], year = v[1], day = v[2];
        } else {
          mon = v[0], day = v[1], year = v[2];
        }
      } else if (m == 1u) {
        if (v[0] > 31) {
          year = v[0], mon = v[1], day = v[2];
        } else {
          day = v[0], mon = v[1], year = v[2];
        }
      } else if (m == 2u) {
        if (v[1] > 31) {
          day = v[0], year = v[1], mon = v[2];
        } else {
          year = v[0], day = v[1], mon = v[2];
        }
      } else if (v[0] > 31 || y == 0u) {
        year = v[0], mon = v[1], day = v[2];
      } else if (v[0] > 12) {
        day = v[0], mon = v[1], year = v[2];
      } else {
        mon = v[0], day = v[1], year = v[2];
      }
    }
  }
};

// ---- dateutil's parser._parse ----

struct Result {
  std::optional<std::int64_t> year, month, day, weekday, hour, minute, second, microsecond;
  std::optional<std::string> tzname;
  std::optional<std::int64_t> tzoffset;
  std::optional<int> ampm;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : l_(split_tokens(text)) {}
  Result parse();

 private:
  const std::string& at(std::size_t i) const {
    if (i >= l_.size()) fail();
    return l_[i];
  }
  std::size_t numeric(std::size_t idx);
  std::optional<std::size_t> find_hms_idx(std::size_t idx) const;
  void assign_hms(const std::string& value_repr, int hms_kind);
  static std::pair<std::int64_t, std::int64_t> parse_ms(std::string_view value);
  static std::pair<std::int64_t, std::optional<std::int64_t>> parse_min_sec(const Decimal& v);
  bool could_be_tzname(const std::string& token) const;
  static std::int64_t adjust_ampm(std::int64_t hour, int ampm);

  std::vector<std::string> l_;
  Result res_;
  Ymd ymd_;
};

std::pair<std::int64_t, std::int64_t> Parser::parse_ms(std::string_view value) {
  const auto dot = value.find('.');
  if (dot == std::string_view::npos) return {py_int(value), 0};
  if (value.find('.', dot + 1) != std::string_view::npos) fail();
  std::string frac(value.substr(dot + 1));
  frac.resize(std::max<std::size_t>(frac.size(), 6), '0');
  return {py_int(value.substr(0, dot)), py_int(frac.substr(0, 6))};
}

std::pair<std::int64_t, std::optional<std::int64_t>> Parser::parse_min_sec(const Decimal& v) {
  std::optional<std::int64_t> second;
  if (v.has_fraction()) second = v.scaled_fraction(60);
  return {v.ip, second};
}

std::int64_t Parser::adjust_ampm(std::int64_t hour, int ampm) {
  if (hour < 12 && ampm == 1) return hour + 12;
  if (hour == 12 && ampm == 0) return 0;
  return hour;
}

bool Parser::could_be_tzname(const std::string& token) const {
  return res_.hour && !res_.tzname && !res_.tzoffset && token.size() <= 5 &&
         (std::all_of(token.begin(), token.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) ||
          in_utczone_list(token));
}

std::optional<std::size_t> Parser::find_hms_idx(std::size_t idx) const {
  const std::size_t n = l_.size();
  if (idx + 1 < n && hms(l_[idx + 1])) return idx + 1;
  if (idx + 2 < n && l_[idx + 1] == " " && hms(l_[idx + 2])) return idx + 2;
  if (idx > 0 && hms(l_[idx - 1])) return idx - 1;
  if (1 < idx && idx == n - 1 && l_[idx - 1] == " " && hms(l_[idx - 2])) return idx - 2;
  return std::nullopt;
}

void Parser::assign_hms(const std::string& value_repr, int hms_kind) {
  const Decimal value = to_decimal(value_repr);
  if (hms_kind == 0) {
    res_.hour = value.ip;
    if (value.has_fraction()) res_.minute = value.scaled_fraction(60);
  } else if (hms_kind == 1) {
    auto [m, s] = parse_min_sec(value);
    res_.minute = m;
    res_.second = s;
  } else if (hms_kind == 2) {
    auto [s, us] = parse_ms(value_repr);
    res_.second = s;
    res_.microsecond = us;
  }
}

std::size_t Parser::numeric(std::size_t idx) {
  const std::string value_repr = l_[idx];
  const Decimal value = to_decimal(value_repr);
  const std::size_t len_li = value_repr.size(), len_l = l_.size();
  if (ymd_.values.size() == 3 && (len_li == 2 || len_li == 4) && !res_.hour &&
      (idx + 1 >= len_l || (l_[idx + 1] != ":" && !hms(l_[idx + 1])))) {
    res_.hour = py_int(value_repr.substr(0, 2));  // 19990101T23[59]
    if (len_li == 4) res_.minute = py_int(value_repr.substr(2));
  } else if (len_li == 6 || (len_li > 6 && value_repr.find('.') == 6)) {
    if (ymd_.values.empty() && value_repr.find('.') == std::string::npos) {  // YYMMDD
      ymd_.append(std::string_view(value_repr).substr(0, 2));
      ymd_.append(std::string_view(value_repr).substr(2, 2));
      ymd_.append(std::string_view(value_repr).substr(4));
    } else {  // HHMMSS[.ss]
      res_.hour = py_int(value_repr.substr(0, 2));
      res_.minute = py_int(value_repr.substr(2, 2));
      auto [s, us] = parse_ms(std::string_view(value_repr).substr(4));
      res_.second = s;
      res_.microsecond = us;
    }
  } else if (len_li == 8 || len_li == 12 || len_li == 14) {  // YYYYMMDD[HHMM[SS]]
    ymd_.append(std::string_view(value_repr).substr(0, 4), 'Y');
    ymd_.append(std::string_view(value_repr).substr(4, 2));
    ymd_.append(std::string_view(value_repr).substr(6, 2));
    if (len_li > 8) {
      res_.hour = py_int(value_repr.substr(8, 2));
      res_.minute = py_int(value_repr.substr(10, 2));
      if (len_li > 12) res_.second = py_int(value_repr.substr(12));
    }
  } else if (auto hms_idx = find_hms_idx(idx)) {  // 12h, 12 h, 04 after 12h
    int kind;
    if (*hms_idx > idx) {
      kind = *hms(l_[*hms_idx]);
      idx = *hms_idx;
    } else {
      kind = *hms(l_[*hms_idx]) + 1;
    }
    assign_hms(value_repr, kind);
  } else if (idx + 2 < len_l && l_[idx + 1] == ":") {  // HH:MM[:SS[.ss]]
    res_.hour = value.ip;
    auto [m, s] = parse_min_sec(to_decimal(l_[idx + 2]));
    res_.minute = m;
    res_.second = s;
    if (idx + 4 < len_l && l_[idx + 3] == ":") {
      auto [sec, us] = parse_ms(l_[idx + 4]);
      res_.second = sec;
      res_.microsecond = us;
      idx += 2;
    }
    idx += 2;
  } else if (idx + 1 < len_l && (l_[idx + 1] == "-" || l_[idx + 1] == "/" || l_[idx + 1] == ".")) {
    const std::string sep = l_[idx + 1];
    ymd_.append(value_repr);
    if (idx + 2 < len_l && !jump(l_[idx + 2])) {
      if (all_digits(l_[idx + 2])) {
        ymd_.append(l_[idx + 2]);  // 01-01[-01]
      } else if (auto m = month(l_[idx + 2])) {
        ymd_.append(std::int64_t{*m}, 'M');  // 01-Jan[-01]
      } else {
        fail();
      }
      if (idx + 3 < len_l && l_[idx + 3] == sep) {
        if (auto m = month(at(idx + 4))) {
          ymd_.append(std::int64_t{*m}, 'M');
        } else {
          ymd_.append(l_[idx + 4]);
        }
        idx += 2;
      }
      idx += 1;
    }
    idx += 1;
  } else if (idx + 1 >= len_l || jump(l_[idx + 1])) {
    if (idx + 2 < len_l && ampm(l_[idx + 2])) {  // 12 am
      res_.hour = adjust_ampm(value.ip, *ampm(l_[idx + 2]));
      idx += 1;
    } else {
      ymd_.append(value);  // year, month or day
    }
    idx += 1;
  } else if (ampm(l_[idx + 1]) && value.ip < 24) {  // 12am
    res_.hour = adjust_ampm(value.ip, *ampm(l_[idx + 1]));
    idx += 1;
  } else if (ymd_.could_be_day(value)) {
    ymd_.append(value);
  } else {
    fail();
  }
  return idx;
}

Result Parser::parse() {
  const std::size_t len_l = l_.size();
  for (std::size_t i = 0; i < len_l; ++i) {
    const std::string& tok = l_[i];
    const std::string low = lower(tok);
    if (!tok.empty() && is_digit(tok[0])) {
      i = numeric(i);
    } else if (low == "inf" || low == "infinity" || low == "nan") {
      fail();  // a float for Python, but not a finite Decimal
    } else if (auto wd = lookup(kWeekday, tok)) {
      res_.weekday = *wd;
    } else if (auto m = month(tok)) {
      ymd_.append(std::int64_t{*m}, 'M');
      if (i + 1 < len_l) {
        if (l_[i + 1] == "-" || l_[i + 1] == "/") {  // Jan-01[-99]
          const std::string sep = l_[i + 1];
          ymd_.append(at(i + 2));
          if (i + 3 < len_l && l_[i + 3] == sep) {
            ymd_.append(at(i + 4));
            i += 2;
          }
          i += 2;
        } else if (i + 4 < len_l && l_[i + 1] == " " && l_[i + 3] == " " &&
                   lookup(kPertain, l_[i + 2])) {  // Jan of 01
          if (all_digits(l_[i + 4])) {
            std::int64_t year = py_int(l_[i + 4]);
            if (year < 100) {
              const int now = current_year();
              year += now / 100 * 100;
              if (year >= now + 50) {
                year -= 100;
              } else if (year < now - 50) {
                year += 100;
              }
            }
            ymd_.append(std::to_string(year), 'Y');
          }
          i += 4;
        }
      }
    } else if (auto ap = ampm(tok)) {
      if (!res_.hour || *res_.hour < 0 || *res_.hour > 12) fail();
      res_.hour = adjust_ampm(*res_.hour, *ap);
      res_.ampm = *ap;
    } else if (could_be_tzname(tok)) {
      res_.tzname = tok;
      if (low == "z") res_.tzoffset = 0;  // parserinfo.tzoffset() only knows lower case
      if (i + 1 < len_l && (l_[i + 1] == "+" || l_[i + 1] == "-")) {
        // "GMT+3" means "my time + 3 is GMT".
        l_[i + 1] = l_[i + 1] == "+" ? "-" : "+";
        res_.tzoffset.reset();
        if (utczone(tok)) res_.tzname.reset();
      }
    } else if (res_.hour && (tok == "+" || tok == "-")) {
      const std::int64_t sign = tok == "+" ? 1 : -1;
      const std::string& next = at(i + 1);
      std::int64_t hours, minutes;
      if (next.size() == 4) {
        hours = py_int(next.substr(0, 2));
        minutes = py_int(next.substr(2));
      } else if (i + 2 < len_l && l_[i + 2] == ":") {
        hours = py_int(next);
        minutes = py_int(at(i + 3));
        i += 2;
      } else if (next.size() <= 2) {
        hours = py_int(next.substr(0, 2));
        minutes = 0;
      } else {
        fail();
      }
      res_.tzoffset = sign * (hours * 3600 + minutes * 60);
      if (i + 5 < len_l && jump(l_[i + 2]) && l_[i + 3] == "(" && l_[i + 5] == ")" &&
          l_[i + 4].size() >= 3) {
        const auto saved = res_.tzoffset;
        res_.tzoffset.reset();
        if (could_be_tzname(l_[i + 4])) {
          res_.tzname = l_[i + 4];  // -0300 (BRST)
          i += 4;
        }
        res_.tzoffset = saved;
      }
      i += 1;
    } else if (!jump(tok)) {
      fail();
    }
  }
  ymd_.resolve(res_.year, res_.month, res_.day);
  // parserinfo.validate()
  if (res_.year && *res_.year < 0) fail();
  if (res_.year && *res_.year < 100 && !ymd_.century_specified) {
    const int now = current_year();
    *res_.year += now / 100 * 100;
    if (*res_.year >= now + 50) {
      *res_.year -= 100;
    } else if (*res_.year < now - 50) {
      *res_.year += 100;
    }
  }
  if ((res_.tzoffset == 0 && !res_.tzname) || res_.tzname == "Z" || res_.tzname == "z") {
    res_.tzname = "UTC";
    res_.tzoffset = 0;
  } else if (res_.tzoffset != 0 && res_.tzname && utczone(*res_.tzname)) {
    res_.tzoffset = 0;
  }
  return res_;
}

int to_int(std::int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX) fail();
  return static_cast<int>(v);
}

}  // namespace

std::optional<DateFields> parse_date_fields(std::string_view text) {
  try {
    Parser parser(text);
    const Result r = parser.parse();
    if (!r.year && !r.month && !r.day && !r.weekday && !r.hour && !r.minute && !r.second &&
        !r.microsecond && !r.tzname && !r.tzoffset && !r.ampm) {
      return std::nullopt;  // "String does not contain a date"
    }
    DateFields f;
    auto conv = [](const std::optional<std::int64_t>& v) -> std::optional<int> {
      if (!v) return std::nullopt;
      return to_int(*v);
    };
    f.year = conv(r.year);
    f.month = conv(r.month);
    f.day = conv(r.day);
    f.weekday = conv(r.weekday);
    f.hour = conv(r.hour);
    f.minute = conv(r.minute);
    f.second = conv(r.second);
    f.microsecond = conv(r.microsecond);
    f.tzname = r.tzname;
    f.tzoffset = conv(r.tzoffset);
    return f;
  } catch (const ParseFailure&) {
    return std::nullopt;
  }
}

bool is_utc_zone_name(std::string_view name) { return utczone(name); }

int days_in_month(int year, int month) {
  return days_in_month(std::int64_t{year}, std::int64_t{month});
}

}  // namespace neo::neolog
