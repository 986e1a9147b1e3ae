# Runs the scenarios of upstream_cases.txt on NEO/py's master partition
# table (neo/master/pt.py) and prints upstream_cases.inc, the expectations
# master_partition_table_upstream_test.cpp checks our table against.
#
#   PYTHONPATH=/work/peer/neoppod /usr/bin/python3 upstream_cases.py \
#       < upstream_cases.txt > upstream_cases.inc
#
# Scenario language (one command per line, '#' comments, '---' separates
# scenarios); node ids are S<n>:
#   new <partitions> <replicas>   an empty master table
#   node S1 [RUNNING|PENDING|DOWN] [devpath component...]   declare/modify a node
#   make S1 S2 ...                pt.make(nodes)
#   add S3 ...                    pt.addNodeList(nodes)
#   tweak [S1 ...]                pt.tweak(excluded nodes)
#   dry [S1 ...]                  tweak on a copy, as the admin handler's dry run
#   outdate [S2]                  pt.outdate(lost_node)
#   updatable S3                  pt.updatable(S3, every partition)
#   uptodate S3 <offset>          pt.setUpToDate(S3, offset)
#   replicate S3                  updatable + setUpToDate for each OUT_OF_DATE cell
#   drop S1 ...                   pt.dropNodeList(nodes)
#   check S1 ...                  pt.dropNodeList(nodes, simulate=True)
#   replicas <n>                  pt.setReplicas(n)
# Commands without result are copied as they are; the others print
#   <command> => <changes> ; <rows>
# changes: "p:S1:U ..." ("-" if none, "refused" if an exception), rows:
# "S1U.S2O|S1U|..." (cells of each partition in order), or "" after make.
import sys
from neo.lib import logging
from neo.lib.node import NodeManager
from neo.lib.protocol import NodeStates, CellStates
from neo.lib.pt import PartitionTableException
from neo.master.pt import PartitionTable

letter = {CellStates.UP_TO_DATE: 'U', CellStates.OUT_OF_DATE: 'O',
          CellStates.FEEDING: 'F', CellStates.DISCARDED: 'D',
          CellStates.CORRUPTED: 'C'}

def nid(text):
    assert text[0] == 'S'
    return int(text[1:])

def rows(pt):
    return '|'.join('.'.join('S%u%s' % (n, letter[s]) for n, s in row)
                    for row in pt.getRowList())

def changes(cell_list):
    if not cell_list:
        return '-'
    return ' '.join('%u:S%u:%s' % (o, n, letter[s]) for o, n, s in cell_list)

def run(lines, out):
    nm = NodeManager()
    pt = None
    def node(text):
        return nm.getByUUID(nid(text))
    for line in lines:
        words = line.split()
        cmd, args = words[0], words[1:]
        if cmd in ('new', 'node', 'add', 'updatable', 'replicas'):
            out.write(line + '\n')
        if cmd == 'new':
            pt = PartitionTable(int(args[0]), int(args[1]))
            continue
        if cmd == 'node':
            n = node(args[0]) or nm.createStorage(uuid=nid(args[0]),
                address=('127.0.0.1', 20000 + nid(args[0])))
            if len(args) > 1:
                n.setState(getattr(NodeStates, args[1]))
            if len(args) > 2:
                n.extra = {'devpath': tuple(args[2:])}
            continue
        try:
            if cmd == 'make':
                pt.make([node(x) for x in args])
                result = '-'
            elif cmd == 'add':
                pt.addNodeList([node(x) for x in args])
                continue
            elif cmd == 'tweak':
                result = changes(pt.tweak([node(x) for x in args]))
            elif cmd == 'dry':
                copy = object.__new__(PartitionTable)
                copy.load(pt.getID(), pt.getReplicas(), pt.getRowList(), nm)
                copy.addNodeList(n for n, count in pt.count_dict.items()
                                 if not count)
                result = changes(copy.tweak([node(x) for x in args]))
                out.write('%s => %s ; %s\n' % (line, result, rows(copy)))
                continue
            elif cmd == 'outdate':
                result = changes(pt.outdate(node(args[0]) if args else None))
            elif cmd == 'updatable':
                pt.updatable(nid(args[0]), range(pt.getPartitions()))
                continue
            elif cmd == 'uptodate':
                result = changes(pt.setUpToDate(node(args[0]), int(args[1])))
            elif cmd == 'replicate':
                n = node(args[0])
                pt.updatable(n.getUUID(), range(pt.getPartitions()))
                result = []
                for offset in pt.getOutdatedOffsetListFor(n.getUUID()):
                    result += pt.setUpToDate(n, offset) or ()
                result = changes(result)
            elif cmd == 'drop':
                result = changes(pt.dropNodeList([node(x) for x in args]))
            elif cmd == 'check':
                result = changes(pt.dropNodeList([node(x) for x in args], True))
            elif cmd == 'replicas':
                pt.setReplicas(int(args[0]))
                continue
            else:
                raise ValueError(line)
        except (PartitionTableException, IndexError):
            result = 'refused'
        out.write('%s => %s ; %s\n' % (line, result, rows(pt)))

def main():
    text = sys.stdin.read()
    out = sys.stdout
    out.write('// Generated by upstream_cases.py from upstream_cases.txt with NEO/py\n'
              '// (neo/master/pt.py of /work/peer/neoppod). Do not edit.\n'
              'R"NEO(\n')
    for scenario in text.split('\n---\n'):
        lines = [l.split('#')[0].strip() for l in scenario.splitlines()]
        lines = [l for l in lines if l]
        if lines:
            run(lines, out)
            out.write('---\n')
    out.write(')NEO"\n')

if __name__ == '__main__':
    main()
