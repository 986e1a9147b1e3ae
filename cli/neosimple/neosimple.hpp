// cli/neosimple/neosimple.hpp
// neosimple: starts a local NEO cluster of our daemons (masters, one
// storage per database, one admin), prints how to use it, shows its status
// once RUNNING, and on SIGINT/SIGTERM stops it cleanly (cluster STOPPING
// through the admin, then waits for every process). See man/neosimple.1.
// main() only calls run_neosimple().
#pragma once

namespace neo::simple {

// Exit status: 0 after a clean stop, 1 on a startup error or a daemon that
// exited on its own, 2 on a bad command line.
int run_neosimple(int argc, char** argv);

}  // namespace neo::simple
