// neostorage: the NEO storage node (see man/neostorage.8).
#include "core/daemon/daemon.hpp"
#include "nodes/storage/storage_app.hpp"
#include "nodes/storage/storage_options.hpp"

int main(int argc, char** argv) {
  CLI::App app{"NEO Storage node", "neostorage"};
  neo::config::CommonOptions common;
  neo::storage::StorageOptions options;
  neo::storage::add_storage_options(app, common, options);
  return neo::daemon::run(app, common, argc, argv, [&](neo::daemon::Env& env) {
    return std::static_pointer_cast<void>(neo::storage::StorageApp::start(env, options));
  });
}
