// Whole-process timing for the benchmarks (bench.mjs, bench-scale.mjs). On a shared, busy machine a
// single run's time says more about the neighbours than about the program: bugcat and its anchor
// (fastText, a bare `node`) are run in turn, A B A B ..., and what is quoted is each one's median
// and the median of the pairs' ratios, with the processor's name and the load average beside them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const hasTime = existsSync('/usr/bin/time');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** The processor's name as /proc/cpuinfo gives it (os.cpus() elsewhere). */
export function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** The 1-minute load average, to print beside a figure. */
export const load = () => loadavg()[0];

/**
 * Runs a command as a whole process: its wall seconds and peak RSS in MB (via GNU time, written
 * to a file in `dir`); `input` goes to its stdin, `stdout: 'pipe'` keeps its output. Throws if it fails
 * (exit codes in `ok` are accepted too).
 */
export function measure(dir, cmd, args, { input, stdout = 'ignore', ok = [0] } = {}) {
  const stats = join(dir, 'time.txt');
  const full = hasTime ? ['/usr/bin/time', ['-f', '%e %M', '-o', stats, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(full[0], full[1], {
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    maxBuffer: 1 << 30,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (!ok.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rss = hasTime ? Number(readFileSync(stats, 'utf8').trim().split('\n').pop().split(' ')[1]) / 1024 : NaN;
  return { seconds, rssMB: rss, stdout: r.stdout };
}

/** Runs a and b (functions that measure one run each) in turn, n times: each one's median, min and peak RSS, the median of the ratios a/b, and the load before and after. */
export function paired(n, a, b) {
  const loadBefore = load();
  const ra = [];
  const rb = [];
  for (let i = 0; i < n; i++) {
    ra.push(a());
    rb.push(b());
  }
  const stats = (runs) => ({
    median: median(runs.map((r) => r.seconds)),
    min: Math.min(...runs.map((r) => r.seconds)),
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
    runs: runs.length,
  });
  return { a: stats(ra), b: stats(rb), ratio: median(ra.map((r, i) => r.seconds / rb[i].seconds)), pairs: n, load: [loadBefore, load()] };
}

/** The floor of a command that reads `file`: start Node and read the file's bytes, nothing else (streamed, as predict reads). */
export function floorArgs(file) {
  return ['-e', `require('fs').createReadStream(${JSON.stringify(file)}).on('data', () => {})`];
}

/** How a paired figure is printed: "A median s | B median s | ratio x (n pairs, load l1 -> l2)". */
export function pairLine(p, nameA, nameB, digits = 3) {
  const f = (x, d = digits) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  return (
    `${nameA} ${f(p.a.median)} s (min ${f(p.a.min)}), peak RSS ${f(p.a.rssMB, 0)} MB | ${nameB} ${f(p.b.median)} s (min ${f(p.b.min)}), peak RSS ${f(p.b.rssMB, 0)} MB | ` +
    `ratio x${f(p.ratio, 2)} (median of ${p.pairs} pairs, run in turn; load ${f(p.load[0], 1)} -> ${f(p.load[1], 1)})`
  );
}
