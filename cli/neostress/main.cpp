#include "cli/neostress/neostress.hpp"

int main(int argc, char** argv) { return neo::stress::run_neostress(argc, argv); }
