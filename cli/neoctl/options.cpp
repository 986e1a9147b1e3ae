#include "cli/neoctl/options.hpp"

#include <regex>

#include "core/config/ini_file.hpp"

namespace neo::neoctl {

const std::string_view kUsageText =
    "usage: neoctl [-h] [-l LOGFILE] [--ca CA] [--cert CERT] [--key KEY]\n"
    "              [-a ADDRESS]\n"
    "              ...\n";

const std::string_view kHelpText =
    "usage: neoctl [-h] [-l LOGFILE] [--ca CA] [--cert CERT] [--key KEY]\n"
    "              [-a ADDRESS]\n"
    "              ...\n"
    "\n"
    "NEO Control node\n"
    "\n"
    "positional arguments:\n"
    "  cmd                   command to execute; if not supplied, the list of\n"
    "                        available commands is displayed\n"
    "\n"
    "options:\n"
    "  -h, --help            show this help message and exit\n"
    "  -l LOGFILE, --logfile LOGFILE\n"
    "                        log debugging information to specified SQLite DB\n"
    "  --ca CA               (SSL) certificate authority in PEM format\n"
    "  --cert CERT           (SSL) certificate in PEM format\n"
    "  --key KEY             (SSL) private key in PEM format\n"
    "  -a ADDRESS, --address ADDRESS\n"
    "                        address of an admin node (default: 127.0.0.1:9999)\n";

namespace {

enum class Id { Help, Logfile, Ca, Cert, Key, Address };

struct OptionSpec {
  std::string_view name;  // an option string
  Id id;
};

// In argparse's registration order (it decides the order of "could match").
constexpr OptionSpec kOptionStrings[] = {
    {"-h", Id::Help},           {"--help", Id::Help}, {"-l", Id::Logfile},
    {"--logfile", Id::Logfile}, {"--ca", Id::Ca},     {"--cert", Id::Cert},
    {"--key", Id::Key},         {"-a", Id::Address},  {"--address", Id::Address},
};

std::string_view display_name(Id id) {
  switch (id) {
    case Id::Help:
      return "-h/--help";
    case Id::Logfile:
      return "-l/--logfile";
    case Id::Ca:
      return "--ca";
    case Id::Cert:
      return "--cert";
    case Id::Key:
      return "--key";
    case Id::Address:
      return "-a/--address";
  }
  return "";
}

const OptionSpec* find_exact(std::string_view name) {
  for (const OptionSpec& spec : kOptionStrings)
    if (spec.name == name) return &spec;
  return nullptr;
}

// One word of the command line as argparse classifies it.
struct Word {
  enum Kind { kPositional, kOption, kDoubleDash } kind = kPositional;
  const OptionSpec* option = nullptr;  // kOption: nullptr if unknown
  std::optional<std::string> explicit_value{};
};

// argparse's _parse_optional; sets `error` for an ambiguous abbreviation.
Word classify(const std::string& arg, std::string& error) {
  if (arg.empty() || arg[0] != '-') return {};
  if (const OptionSpec* spec = find_exact(arg)) return {Word::kOption, spec, std::nullopt};
  if (arg.size() == 1) return {};
  if (const std::size_t eq = arg.find('='); eq != arg.npos) {
    if (const OptionSpec* spec = find_exact(arg.substr(0, eq)))
      return {Word::kOption, spec, arg.substr(eq + 1)};
  }
  std::vector<Word> matches;
  std::vector<std::string_view> names;
  if (arg[1] == '-') {
    const std::size_t eq = arg.find('=');
    const std::string prefix = arg.substr(0, eq);
    std::optional<std::string> value;
    if (eq != arg.npos) value = arg.substr(eq + 1);
    for (const OptionSpec& spec : kOptionStrings) {
      if (spec.name.starts_with(prefix)) {
        matches.push_back({Word::kOption, &spec, value});
        names.push_back(spec.name);
      }
    }
  } else {
    const std::string short_prefix = arg.substr(0, 2);
    for (const OptionSpec& spec : kOptionStrings) {
      if (spec.name == short_prefix) {
        matches.push_back({Word::kOption, &spec, arg.substr(2)});
        names.push_back(spec.name);
      } else if (spec.name.starts_with(arg)) {
        matches.push_back({Word::kOption, &spec, std::nullopt});
        names.push_back(spec.name);
      }
    }
  }
  if (matches.size() > 1) {
    error = "ambiguous option: " + arg + " could match ";
    for (std::size_t i = 0; i < names.size(); ++i) error += (i ? ", " : "") + std::string(names[i]);
    return {};
  }
  if (matches.size() == 1) return matches.front();
  static const std::regex negative_number("^-\\d+$|^-\\d*\\.\\d+$");
  if (std::regex_match(arg, negative_number)) return {};
  if (arg.find(' ') != arg.npos) return {};
  return {Word::kOption, nullptr, std::nullopt};
}

std::string python_repr(std::string_view text) {
  const char quote = text.find('\'') != text.npos && text.find('"') == text.npos ? '"' : '\'';
  std::string result(1, quote);
  for (char c : text) {
    if (c == quote || c == '\\') result += '\\';
    result += c;
  }
  return result + quote;
}

}  // namespace

ParsedOptions parse_options(std::span<const std::string> args) {
  ParsedOptions parsed;
  Options& options = parsed.options;
  std::vector<Word> words;
  bool after_double_dash = false;
  for (const std::string& arg : args) {
    if (after_double_dash) {
      words.push_back({});
    } else if (arg == "--") {
      words.push_back({Word::kDoubleDash});
      after_double_dash = true;
    } else {
      words.push_back(classify(arg, parsed.error));
      if (!parsed.error.empty()) return parsed;
    }
  }
  std::vector<std::string> extras;
  for (std::size_t i = 0; i < args.size();) {
    const Word& word = words[i];
    if (word.kind != Word::kOption) {  // the command: everything from here
      for (std::size_t k = i; k < args.size(); ++k) {
        if (args[k].empty()) {
          parsed.error = "argument cmd: value is empty";
          return parsed;
        }
        options.command.push_back(args[k]);
      }
      break;
    }
    if (!word.option) {
      extras.push_back(args[i++]);
      continue;
    }
    const Id id = word.option->id;
    const std::string name(display_name(id));
    if (id == Id::Help) {
      const std::string& value = word.explicit_value.value_or("");
      const bool single_dash = args[i].size() > 1 && args[i][1] != '-';
      if (word.explicit_value &&
          !(single_dash && !value.empty() && find_exact("-" + value.substr(0, 1)))) {
        parsed.error = "argument " + name + ": ignored explicit argument " + python_repr(value);
        return parsed;
      }
      parsed.help = true;
      return parsed;
    }
    std::string value;
    if (word.explicit_value) {
      value = *word.explicit_value;
      i += 1;
    } else if (i + 1 < args.size() && words[i + 1].kind == Word::kPositional) {
      value = args[i + 1];
      i += 2;
    } else {
      parsed.error = "argument " + name + ": expected one argument";
      return parsed;
    }
    switch (id) {
      case Id::Address:
        if (value.empty()) {
          parsed.error = "argument " + name + ": value is empty";
          return parsed;
        }
        options.address = value;
        break;
      case Id::Logfile:
        options.logfile = config::expand_user(value);
        break;
      case Id::Ca:
        options.ca = config::expand_user(value);
        break;
      case Id::Cert:
        options.cert = config::expand_user(value);
        break;
      case Id::Key:
        options.key = config::expand_user(value);
        break;
      case Id::Help:
        break;
    }
  }
  if (!extras.empty()) {
    parsed.error = "unrecognized arguments:";
    for (const std::string& extra : extras) parsed.error += " " + extra;
  }
  return parsed;
}

}  // namespace neo::neoctl
