// The partition table saved in table pt.
#include <catch2/catch.hpp>

#include "tests/unit/storage/db_backend.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;
using protocol::CellChange;

namespace {

constexpr NodeId S1{1}, S2{2}, S3{3};

std::vector<PtRow> rows(Database& db) {
  auto result = db.pt_rows();
  REQUIRE(result);
  return *result;
}

// Commits one object revision (and its transaction) in partition `oid % np`.
void commit_record(Database& db, Oid oid, Tid tid) {
  auto data_id = db.store_data(sha1("x"), oid, "x", 0, std::nullopt);
  REQUIRE(data_id);
  const ObjectRef object{oid, *data_id, std::nullopt};
  TransactionMeta meta{{oid}, "u", "d", "", false, tid};
  REQUIRE_FALSE(db.store_transaction(tid, {&object, 1}, &meta, false));
  REQUIRE_FALSE(db.commit());
}

}  // namespace

TEST_CASE("the partition table round-trips every cell state and own-cell TIDs", "[storage]") {
  BackendDb backend;
  const Tid last_pack{0x0300000000000000ULL};
  {
    auto db = backend.open();
    REQUIRE_FALSE(db->set_nid(S1));
    const std::vector<CellChange> table{
        {0, S1, CellState::UpToDate},  {0, S2, CellState::OutOfDate}, {1, S1, CellState::Feeding},
        {1, S2, CellState::Corrupted}, {2, S1, CellState::OutOfDate}, {2, S2, CellState::UpToDate},
        {3, S1, CellState::Corrupted}, {3, S3, CellState::UpToDate},  {4, S2, CellState::UpToDate},
    };
    auto drop = db->change_partition_table(12, 1, table, true, last_pack);
    REQUIRE(drop);
    // A full table: every partition without an own cell is to be dropped.
    CHECK(*drop == std::vector<std::uint32_t>{4});
    REQUIRE_FALSE(db->commit());
    CHECK(db->num_partitions() == 5);
    CHECK(db->readable_partitions() == std::vector<std::uint32_t>{0, 1});
  }
  auto db = backend.open();
  CHECK(db->ptid() == 12);
  CHECK(db->num_replicas() == 1);
  CHECK(rows(*db) == std::vector<PtRow>{
                         {0, S1, -1, 0},
                         {0, S2, 0, std::nullopt},
                         {1, S1, -2, 0},
                         {1, S2, -3, std::nullopt},
                         {2, S1, 0, last_pack.value},
                         {2, S2, -1, std::nullopt},
                         {3, S1, -3, last_pack.value},
                         {3, S3, -1, std::nullopt},
                         {4, S2, -1, std::nullopt},
                     });
  auto cells = db->partition_table();
  REQUIRE(cells);
  CHECK(cells->at(0) == CellRow{0, S1, CellState::UpToDate});
  CHECK(cells->at(1) == CellRow{0, S2, CellState::OutOfDate});
  CHECK(cells->at(3) == CellRow{1, S2, CellState::Corrupted});
  CHECK(cells->at(2) == CellRow{1, S1, CellState::Feeding});
  CHECK(db->readable_partitions() == std::vector<std::uint32_t>{0, 1});

  // Partition 0 gets data, then the own cell goes OUT_OF_DATE: it remembers
  // the greatest TID of its partition (object 5 % 5 == 0).
  commit_record(*db, Oid{5}, Tid{0x1005});
  commit_record(*db, Oid{10}, Tid{0x1000});
  const std::vector<CellChange> changes{{0, S1, CellState::OutOfDate},
                                        {1, S1, CellState::Discarded},
                                        {2, S2, CellState::Discarded},
                                        {4, S1, CellState::OutOfDate}};
  auto drop = db->change_partition_table(13, 1, changes, false, Tid{0x0400000000000000ULL});
  REQUIRE(drop);
  CHECK(*drop == std::vector<std::uint32_t>{1});
  REQUIRE_FALSE(db->commit());
  CHECK(db->readable_partitions().empty());
  auto after = rows(*db);
  CHECK(after == std::vector<PtRow>{
                     {0, S1, 0x1005, 0},  // an existing row keeps its pack
                     {0, S2, 0, std::nullopt},
                     {1, S2, -3, std::nullopt},
                     {2, S1, 0, last_pack.value},
                     {3, S1, -3, last_pack.value},
                     {3, S3, -1, std::nullopt},
                     {4, S1, 0, 0x0400000000000000ULL},
                     {4, S2, -1, std::nullopt},
                 });

  // Replication progress is recorded for OUT_OF_DATE cells only.
  REQUIRE_FALSE(db->update_cell_tid(0, Tid{0x2000}));
  REQUIRE_FALSE(db->update_cell_tid(3, Tid{0x2000}));
  REQUIRE_FALSE(db->commit());
  CHECK(rows(*db)[0] == PtRow{0, S1, 0x2000, 0});
  CHECK(rows(*db)[4] == PtRow{3, S1, -3, last_pack.value});
  auto next = db->cell_next_tids();
  REQUIRE(next);
  REQUIRE(next->size() == 3);  // the CORRUPTED cell is not replicated
  CHECK(next->at(0).partition == 0);
  CHECK(next->at(0).out_of_date);
  CHECK(next->at(0).next_trans == Tid{0x2001});
  CHECK(next->at(1).partition == 2);
  CHECK(next->at(1).next_obj == Tid{0});

  // A partition being replicated is readable for the time of it.
  db->set_replicating(2, true);
  CHECK(db->is_readable_partition(2));
  db->set_replicating(2, false);
  CHECK_FALSE(db->is_readable_partition(2));
}

TEST_CASE("a new node id rewrites the node's own rows", "[storage]") {
  BackendDb backend;
  auto db = backend.open();
  REQUIRE_FALSE(db->set_nid(S1));
  const std::vector<CellChange> table{{0, S1, CellState::UpToDate},
                                      {0, S2, CellState::UpToDate},
                                      {1, S1, CellState::OutOfDate},
                                      {1, S2, CellState::UpToDate}};
  REQUIRE(db->change_partition_table(3, 1, table, true, Tid{9}));
  REQUIRE_FALSE(db->update_cell_tid(1, Tid{0x77}));
  REQUIRE_FALSE(db->commit());

  const NodeId S7{7};
  REQUIRE_FALSE(db->set_nid(S7));
  CHECK(db->nid() == S7);
  CHECK(db->config("nid") == "7");
  CHECK(rows(*db) == std::vector<PtRow>{{0, S2, -1, std::nullopt},
                                        {0, S7, -1, 0},
                                        {1, S2, -1, std::nullopt},
                                        {1, S7, 0x77, 9}});
  CHECK(db->readable_partitions() == std::vector<std::uint32_t>{0});
  auto own = db->assigned_cells();
  REQUIRE(own);
  CHECK(*own == std::vector<std::pair<std::uint32_t, std::int64_t>>{{0, -1}, {1, 0x77}});
}
