#include "nodes/admin/admin_core.hpp"

#include <spdlog/spdlog.h>

namespace neo::admin {

AdminCore::AdminCore(std::string cluster, std::vector<std::string> monitor_backups)
    : cluster_(std::move(cluster)) {
  for (std::string& name : monitor_backups) backups_.emplace(std::move(name), false);
}

void AdminCore::set_master(std::shared_ptr<net::Peer> master) { master_ = std::move(master); }

void AdminCore::master_lost() {
  master_.reset();
  view_.on_master_lost();
  if (!waiting_monitor_.empty()) answer_monitor();
  asking_ids_ = false;
}

MonitorState AdminCore::monitor() const {
  MonitorState state = monitor_state(view_);
  state.ltid = ltid_;
  state.backup_tid = backup_tid_;
  return state;
}

void AdminCore::ask_monitor_information(net::Peer& neoctl) {
  waiting_monitor_.push_back(Waiting{neoctl.weak_from_this(), neoctl.msg_id()});
  if (asking_ids_) return;
  if (!master_ || !operational(monitor())) {
    answer_monitor();
    return;
  }
  asking_ids_ = true;
  if (view_.cluster_state() == protocol::ClusterState::BackingUp) {
    master_->ask(protocol::AskRecovery{},
                 [this](Result<protocol::AnswerRecovery> answer, std::string_view) {
                   if (answer) backup_tid_ = answer->backup_tid;
                 });
  }
  master_->ask(protocol::AskLastTransaction{},
               [this](Result<protocol::AnswerLastTransaction> answer, std::string_view message) {
                 if (answer) {
                   ltid_ = answer->tid;
                 } else {
                   SPDLOG_WARN("AskLastTransaction failed: {} {}", answer.error().message(),
                               message);
                 }
                 asking_ids_ = false;
                 answer_monitor();
               });
}

void AdminCore::answer_monitor() {
  const protocol::AnswerMonitorInformation answer = monitor_answer(monitor());
  std::vector<Waiting> waiting;
  waiting.swap(waiting_monitor_);
  for (const Waiting& entry : waiting) {
    std::shared_ptr<net::Peer> peer = entry.peer.lock();
    if (peer && !peer->closed()) peer->answer(entry.msg_id, answer);
  }
}

bool AdminCore::attach_backup(const std::string& name) {
  auto it = backups_.find(name);
  if (it == backups_.end() || it->second) return false;
  it->second = true;
  return true;
}

void AdminCore::detach_backup(const std::string& name) {
  auto it = backups_.find(name);
  if (it != backups_.end()) it->second = false;
}

}  // namespace neo::admin
