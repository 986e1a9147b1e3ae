// neosimple: a local NEO cluster in one command (see man/neosimple.1).
#include "cli/neosimple/neosimple.hpp"

int main(int argc, char** argv) { return neo::simple::run_neosimple(argc, argv); }
