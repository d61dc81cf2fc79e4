import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of the times in /proc (USER_HZ, 100 on Linux almost everywhere). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const MS_PER_TICK = 1000 / TICKS;

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone, or not Linux
  }
}

/** Every live process's parent, from /proc/<pid>/stat (field 4, the first after the state). */
function parents() {
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields) parentOf.set(Number(entry), Number(fields[1]));
  }
  return parentOf;
}

/** `pid` and all its descendants alive now (Miniflare's workerd is a child of the Node process that hosts it). */
export function processTree(pid) {
  const children = new Map();
  for (const [child, parent] of parents()) children.set(parent, [...(children.get(parent) ?? []), child]);
  const tree = [];
  const queue = [pid];
  while (queue.length) {
    const next = queue.shift();
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** Per thread of `pid`, the time it has waited, runnable, for a core (the second field of its schedstat), in ms. */
function runQueueWaits(pid) {
  const waits = {};
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        waits[task] = Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // gone, or a kernel without schedstats
  }
  return waits;
}

/**
 * So far, per process of the tree of `pid`: CPU time (user + system, all threads: utime and stime of
 * /proc/<pid>/stat, in clock ticks, 10 ms resolution at USER_HZ 100) and, per thread, the time spent
 * waiting for a core, in ms. null where /proc is missing.
 */
export function treeTimes(pid) {
  if (!statFields(pid)) return null;
  const byPid = {};
  for (const member of processTree(pid)) {
    const fields = statFields(member);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    if (fields) byPid[member] = { cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK, waits: runQueueWaits(member) };
  }
  return byPid;
}

/** Busy time of one core so far (everything but idle and iowait, from its `cpuN` line of /proc/stat), in ms. */
export function coreBusy(core) {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${core} `));
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
  } catch {
    return null;
  }
}

/**
 * Starts a CPU reading of a process tree (`pid`: a server, or the load generator) and of the core it is pinned
 * to; the function returned gives what was spent since: CPU time, time waited for the core, others' CPU time. Processes that appear during the window count from zero, ones that end
 * during it are lost (none do: servers keep their processes).
 */
export function startCpuReading(pid, core) {
  const before = treeTimes(pid);
  const coreBefore = coreBusy(core);
  const started = performance.now();
  return () => {
    const after = treeTimes(pid);
    const coreAfter = coreBusy(core);
    const wallMs = performance.now() - started;
    if (!before || !after) return { wallMs };
    const treeMs = Object.entries(after).reduce((sum, [member, t]) => sum + t.cpuMs - (before[member]?.cpuMs ?? 0), 0);
    // The thread that waited longest (a JavaScript server's work is on one thread; the others mostly sleep).
    const waitMs = Math.max(
      0,
      ...Object.entries(after).flatMap(([member, t]) =>
        Object.entries(t.waits).map(([thread, ms]) => ms - (before[member]?.waits[thread] ?? 0)),
      ),
    );
    return {
      wallMs,
      treeCpuMs: treeMs,
      // Milliseconds that thread was ready to run but waited for its core: what other work cost the tree.
      waitMs,
      // Everything else that ran on the core meanwhile (other engineers' tests, the bench itself, the hypervisor),
      // much of it in time the tree did not want.
      otherCpuMs: coreBefore === null || coreAfter === null ? undefined : Math.max(0, coreAfter - coreBefore - treeMs),
    };
  };
}
