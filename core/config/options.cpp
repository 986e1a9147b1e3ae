#include "core/config/options.hpp"

#include <iterator>
#include <memory>
#include <sstream>

namespace neo::config {
namespace {

// CLI11's view of the -f file: the options of one section, [DEFAULT]
// included, named as CLI11 long options. CLI11 gives them to options that
// were not on the command line, before checking required options.
class SectionConfig final : public CLI::Config {
 public:
  SectionConfig(const CLI::App* app, const CLI::Option* file, const CLI::Option* section)
      : app_(app), file_(file), section_(section) {}

  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::string text(std::istreambuf_iterator<char>(input), {});
    std::string section = section_->as<std::string>();
    std::vector<CLI::ConfigItem> items;
    try {
      IniFile ini = IniFile::parse(text, file_->as<std::string>());
      if (!ini.has_section(section))
        throw Error(ini.filename() + ": no section [" + section + "]");
      for (const std::string& key : ini.keys(section)) {
        if (auto item = to_item(ini, section, key)) items.push_back(std::move(*item));
      }
    } catch (const Error& e) {
      throw CLI::ConfigError(e.what());
    }
    return items;
  }

 private:
  std::optional<CLI::ConfigItem> to_item(const IniFile& ini, const std::string& section,
                                         const std::string& key) const {
    if (key.find('-') != std::string::npos) return std::nullopt;  // files use '_'
    std::string name = key;
    std::replace(name.begin(), name.end(), '_', '-');
    const CLI::Option* option = app_->get_option_no_throw("--" + name);
    if (!option || option == file_ || option == section_ || !option->get_configurable())
      return std::nullopt;  // unknown keys are ignored
    CLI::ConfigItem item;
    item.name = name;
    if (option->get_expected_min() == 0) {  // a flag
      item.inputs.push_back(*ini.get_bool(section, key) ? "true" : "false");
      return item;
    }
    std::string value = *ini.get(section, key);
    bool repeatable = option->get_items_expected_max() > 1 ||
                      option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
    if (!repeatable) {
      item.inputs.push_back(std::move(value));
      return item;
    }
    std::istringstream lines(value);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) item.inputs.push_back(line);
    if (item.inputs.empty()) item.inputs.emplace_back();  // "value is empty" if checked
    return item;
  }

  const CLI::App* app_;
  const CLI::Option* file_;
  const CLI::Option* section_;
};

// An option whose text is parsed into `target` by `parse` (CLI11 runs it for
// the command line and the file alike); errors become CLI11 errors.
template <class T, class Parse>
CLI::Option* add_parsed_option(CLI::App& app, const std::string& name, T& target, Parse parse,
                               const std::string& help) {
  auto* option = app.add_option_function<std::string>(
      name,
      [&target, parse, name](const std::string& text) {
        try {
          target = parse(text);
        } catch (const Error& e) {
          throw CLI::ValidationError(name, e.what());
        }
      },
      help);
  return option;
}

}  // namespace

// No description: they would clutter the type column of --help.
NonEmptyValidator::NonEmptyValidator()
    : CLI::Validator(
          [](std::string& value) { return value.empty() ? std::string("value is empty") : std::string(); },
          "", "NONEMPTY") {}

ExpandUserTransformer::ExpandUserTransformer()
    : CLI::Validator(
          [](std::string& value) {
            value = expand_user(value);
            return std::string();
          },
          "", "EXPANDUSER") {}

AllowEmptyMarker::AllowEmptyMarker()
    : CLI::Validator([](std::string&) { return std::string(); }, "", "ALLOWEMPTY") {}

const NonEmptyValidator NonEmpty;
const AllowEmptyMarker AllowEmpty;

namespace {

bool has_validator(CLI::Option* option, const std::string& name) {
  try {
    return option->get_validator(name) != nullptr;
  } catch (const CLI::OptionNotFound&) {
    return false;
  }
}

}  // namespace

void reject_empty_values(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->get_expected_min() == 0 || option->get_lnames().empty()) continue;
    if (has_validator(option, "ALLOWEMPTY") || has_validator(option, "NONEMPTY")) continue;
    option->check(NonEmpty);
  }
  for (CLI::App* group : app.get_subcommands([](CLI::App* sub) { return sub->get_name().empty(); }))
    reject_empty_values(*group);
}
const ExpandUserTransformer ExpandUser;

CLI::Option* add_path_option(CLI::App& app, const std::string& name, std::string& path,
                             const std::string& help) {
  return app.add_option(name, path, help)->check(NonEmpty)->transform(ExpandUser)->type_name("PATH");
}

void check_tls(const CommonOptions& options) {
  int given = !options.ca.empty() + !options.cert.empty() + !options.key.empty();
  if (given != 0 && given != 3)
    throw Error(
        "To enable encryption, 3 files must be provided: the CA certificate (--ca),"
        " and the certificate of this node (--cert) with its private key (--key).");
}

void add_common_options(CLI::App& app, CommonOptions& options) {
  add_path_option(app, "-l,--logfile", options.logfile,
                  "log debugging information to specified SQLite DB");
  CLI::App* tls = app.add_option_group("TLS", "all three files, or none");
  add_path_option(*tls, "--ca", options.ca, "(SSL) certificate authority in PEM format");
  add_path_option(*tls, "--cert", options.cert, "(SSL) certificate in PEM format");
  add_path_option(*tls, "--key", options.key, "(SSL) private key in PEM format");
  app.preparse_callback([&app](std::size_t) { reject_empty_values(app); });
  // Runs when any of the three is given, on the command line or in the file.
  tls->callback([&options] {
    try {
      check_tls(options);
    } catch (const Error& e) {
      throw CLI::ValidationError(e.what());
    }
  });
}

void add_server_options(CLI::App& app, ServerOptions& options, const ServerDefaults& defaults) {
  CLI::Option* file = app.set_config("-f,--file", "", "specify a configuration file");
  file->type_name("FILE")->check(NonEmpty)->transform(ExpandUser)->each([&options](const std::string& path) {
    options.file = path;
  });
  options.section = defaults.section;
  CLI::Option* section = app.add_option("-s,--section", options.section,
                                        "specify a configuration section")
                             ->check(NonEmpty)
                             ->default_val(defaults.section)
                             ->configurable(false);
  app.add_option("-c,--cluster", options.cluster, "the cluster name")
      ->required()
      ->check(NonEmpty)
      ->type_name("NAME");

  options.masters = parse_master_list(defaults.masters);
  auto* masters = add_parsed_option(app, "-m,--masters", options.masters, parse_master_list,
                                    "space-separated list of master node addresses");
  masters->type_name("LIST");
  if (defaults.masters.empty())
    masters->check(AllowEmpty);  // a master may be alone
  else
    masters->default_str(defaults.masters);

  auto parse_bind = [](const std::string& text) { return parse_address(text, 0); };
  options.bind = parse_bind(defaults.bind);
  add_parsed_option(app, "-b,--bind", options.bind, parse_bind, "the local address to bind to")
      ->type_name("ADDRESS")
      ->check(NonEmpty)
      ->default_str(defaults.bind);
  add_path_option(app, "-D,--dynamic-master-list", options.dynamic_master_list,
                  "path of the file containing dynamic master node list");

  app.config_formatter(std::make_shared<SectionConfig>(&app, file, section));
  app.allow_config_extras(CLI::config_extras_mode::ignore);
}

}  // namespace neo::config
