#!/usr/bin/env node
// npm run bench:serve [-- --quick] [--json FILE]
// bugcat serve under load, on loopback only, beside the command line's one-report cost measured
// in the same run:
//   1. the CLI: one report on stdin, as a whole process, against a bare `node`;
//   2. single-report requests per second at saturation, for 0, 1 and 2 prediction threads,
//      and reports per second in batches of 20;
//   3. p50 / p99 latency at a fixed 500 requests per second for 60 s with the default threads
//      (open loop: each request sent when due, its latency counted from then), the server's
//      resident memory sampled every second, and model reloads during the load (POST
//      /v1/admin/reload and SIGHUP) that must lose no request.
// Every run is bounded in time and count and stops by itself. Texts are QEMU reports read from
// ../shared/data (public material, never copied). Figures are printed and written as JSON, never
// asserted.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'csv-parse/sync';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli', 'main.js');
const model = join(root, 'models', 'qemu');
const data = new URL('../../shared/data/qemu-reports.csv', import.meta.url).pathname;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const jsonOut = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : join(root, '.bench', 'bench-serve.json');
const TOKEN = 'bench-token';
const SATURATION_S = quick ? 4 : 10;
const FIXED_S = quick ? 15 : 60;
const RATE = 500;
const say = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wall seconds of a whole process, median of `n` runs. */
function wall(n, cmd, args, input) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** CPU seconds a process has used (user + system, all its threads). */
function cpuOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
}

/** Starts `bugcat serve` on a free loopback port; resolves with its URL once it answers. */
function startServer(workers) {
  const args = [cli, 'serve', '--model', model, '--host', '127.0.0.1', '--port', '0', '--token', TOKEN, '--log-level', 'warn'];
  if (workers !== undefined) args.push('--workers', String(workers));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bugcat serve did not start in 60 s:\n${stderr}`)), 60_000);
    child.stdout.once('data', (d) => {
      clearTimeout(timer);
      resolve({ child, url: String(d).trim(), stderr: () => stderr });
    });
    child.once('exit', (code, signal) => reject(new Error(`bugcat serve exited (${code ?? signal}) before it listened:\n${stderr}`)));
  });
}

async function stopServer(server) {
  const exited = new Promise((r) => server.child.once('exit', (code) => r(code)));
  server.child.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout')]);
  if (code === 'timeout') server.child.kill('SIGKILL');
  return code;
}

/** autocannon against POST /v1/predict, each request the next body of `bodies`. */
function load(url, bodies, opts) {
  let i = 0;
  return autocannon({
    url,
    connections: opts.connections,
    duration: opts.duration,
    overallRate: opts.rate,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/v1/predict',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
      },
    ],
  });
}

const errorsOf = (r) => r.errors + r.timeouts + r.non2xx;

/**
 * An open-loop load at a fixed rate: a request is due every 1/rate s, sent when due whatever the
 * answers before it (autocannon's rate mode sends each second's quota in a burst at its start),
 * and its latency counts from when it was due, so that a stall shows in the latency of the
 * requests it held back. Keep-alive connections, as many as needed.
 */
async function fixedRate(url, bodies, { rate, seconds, quiet = [] }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL('/v1/predict', url);
  const latencies = [];
  let errors = 0;
  let sent = 0;
  const pending = new Set();
  const send = (due, body) =>
    new Promise((resolve) => {
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push([due - start, performance.now() - due]);
            else errors++;
            resolve();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const start = performance.now();
  const total = Math.round(rate * seconds);
  while (sent < total) {
    const due = start + (sent * 1000) / rate;
    const now = performance.now();
    if (due > now) {
      await sleep(Math.min(1, due - now));
      continue;
    }
    const p = send(due, bodies[sent % bodies.length]);
    pending.add(p);
    void p.then(() => pending.delete(p));
    sent++;
  }
  await Promise.all(pending);
  agent.destroy();
  const round = (x) => Math.round(x * 10) / 10;
  const percentiles = (xs) => {
    const sorted = xs.sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { p50ms: round(at(0.5)), p99ms: round(at(0.99)), maxMs: round(sorted.at(-1)) };
  };
  // The same figures for the requests due outside the windows `quiet` names (ms from the start: [from, to]).
  const away = latencies.filter(([t]) => !quiet.some(([a, b]) => t >= a && t < b)).map(([, l]) => l);
  return {
    total: sent,
    achievedPerSecond: sent / ((performance.now() - start) / 1000),
    ...percentiles(latencies.map(([, l]) => l)),
    errors,
    awayFromReloads: { requests: away.length, ...percentiles(away) },
  };
}

const rows = parse(readFileSync(data), { columns: true, skip_empty_lines: true, relax_column_count: true });
const texts = rows.map((r) => r.text).filter((t) => t && t.trim() !== '');
const singles = texts.slice(0, 2000).map((text) => JSON.stringify({ text, top: 3 }));
const batches = Array.from({ length: 100 }, (_, b) =>
  JSON.stringify({ reports: texts.slice(b * 20, b * 20 + 20).map((text) => ({ text })), top: 3 }),
);
const defaultWorkers = Math.max(1, availableParallelism() - 1);
const result = {
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString() },
  texts: { count: singles.length, medianChars: median(texts.slice(0, 2000).map((t) => t.length)) },
};
const loadAvg = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
result.machine.loadAverageAtStart = loadavg();
say(`load average at the start: ${loadAvg()} (other work on this machine shares the cores)`);
say(
  `machine: ${result.machine.cores} cores (${result.machine.cpu}), node ${process.version}; ${singles.length} QEMU reports, median ${result.texts.medianChars} characters`,
);

// 1. The command line, one report as a whole process, against a bare node.
const one = texts[0];
const node = wall(7, process.execPath, ['-e', '0']);
const cliOne = wall(7, process.execPath, [cli, 'predict', '--model', model], one);
result.cli = { nodeSeconds: node, onePredictSeconds: cliOne };
say(`CLI: one report as a whole process ${cliOne.toFixed(3)} s (bare node ${node.toFixed(3)} s, x${(cliOne / node).toFixed(1)})`);

// 2. Saturation: single reports, by prediction threads; then batches of 20 with the default.
result.saturation = {};
for (const workers of [0, 1, 2]) {
  const server = await startServer(workers);
  await load(server.url, singles, { connections: 16, duration: 2 }); // warm-up
  const cpu0 = cpuOf(server.child.pid);
  const r = await load(server.url, singles, { connections: 16, duration: SATURATION_S });
  // The server's own CPU time per request: what a core would answer if nothing else ran on it.
  const cpuMs = ((cpuOf(server.child.pid) - cpu0) * 1000) / r.requests.total;
  result.saturation[workers] = {
    requestsPerSecond: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    errors: errorsOf(r),
    total: r.requests.total,
    serverCpuMsPerRequest: cpuMs,
  };
  say(
    `saturation, ${workers} prediction thread(s): ${Math.round(r.requests.average)} single-report requests/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${errorsOf(r)} errors in ${r.requests.total}; the server used ${cpuMs.toFixed(2)} ms of CPU per request (${Math.round(1000 / cpuMs)} requests per CPU-second)`,
  );
  if (workers === 0 || workers === defaultWorkers) {
    const b = await load(server.url, batches, { connections: 4, duration: SATURATION_S / 2 });
    result.saturation[workers].batch20ReportsPerSecond = b.requests.average * 20;
    say(
      `  batches of 20, ${workers} thread(s): ${Math.round(b.requests.average * 20)} reports/s, p99 ${b.latency.p99} ms per batch, ${errorsOf(b)} errors`,
    );
  }
  await stopServer(server);
}

// 3. A fixed 500 requests/s for FIXED_S seconds, default threads, memory sampled, reloads during the load.
{
  const server = await startServer(undefined);
  const pid = server.child.pid;
  await fixedRate(server.url, singles, { rate: RATE, seconds: 2 }); // warm-up
  const samples = [];
  const sampler = setInterval(() => samples.push(rssOf(pid).rss), 1000);
  const reloads = [];
  const reloadAt = async (ms, how) => {
    await sleep(ms);
    if (how === 'http') {
      const res = await fetch(`${server.url}/v1/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      reloads.push({ how, status: res.status, ok: res.ok });
    } else {
      server.child.kill('SIGHUP');
      reloads.push({ how: 'SIGHUP', sent: true });
    }
  };
  const reloadTimes = [(FIXED_S * 1000) / 3, (FIXED_S * 2000) / 3];
  // Requests due from a reload's start to 5 s after it are "near a reload".
  const running = fixedRate(server.url, singles, { rate: RATE, seconds: FIXED_S, quiet: reloadTimes.map((t) => [t, t + 5000]) });
  const reloading = Promise.all([reloadAt(reloadTimes[0], 'http'), reloadAt(reloadTimes[1], 'signal')]);
  const r = await running;
  await reloading;
  clearInterval(sampler);
  const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const reloadCount = Number(/bugcat_model_reloads_total\{result="ok"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  const { peak } = rssOf(pid);
  const code = await stopServer(server);
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  // Flat or growing: within each stretch between reloads (from 5 s after a reload, which loads a
  // new model in new threads, to the next), the change from its first 3 samples to its last 3.
  const edges = [0, ...reloadTimes.map((t) => t / 1000), FIXED_S];
  const stretches = edges.slice(1).map((end, k) => {
    const part = samples.slice(Math.round(edges[k] + (k > 0 ? 5 : 0)), Math.round(end));
    return { from: edges[k] + (k > 0 ? 5 : 0), to: end, startMB: median(part.slice(0, 3)), endMB: median(part.slice(-3)) };
  });
  result.fixedRate = {
    rate: RATE,
    seconds: FIXED_S,
    achievedPerSecond: r.achievedPerSecond,
    total: r.total,
    p50ms: r.p50ms,
    p99ms: r.p99ms,
    maxMs: r.maxMs,
    errors: r.errors,
    awayFromReloads: r.awayFromReloads,
    rssMB: {
      first: median(samples.slice(0, tenth)),
      last: median(samples.slice(-tenth)),
      max: Math.max(...samples),
      peakHWM: peak,
      series: samples.map((x) => Math.round(x)),
      stretches,
    },
    reloads,
    reloadsDone: reloadCount,
    exitCode: code,
  };
  const f = result.fixedRate;
  say(
    `fixed ${RATE} requests/s for ${FIXED_S} s (${defaultWorkers} prediction thread(s)): ${f.total} requests, p50 ${f.p50ms} ms, p99 ${f.p99ms} ms, max ${f.maxMs} ms, ${f.errors} errors`,
  );
  say(
    `  the ${f.awayFromReloads.requests} requests due more than 5 s after a reload began: p50 ${f.awayFromReloads.p50ms} ms, p99 ${f.awayFromReloads.p99ms} ms, max ${f.awayFromReloads.maxMs} ms`,
  );
  say(
    `  RSS: ${f.rssMB.first.toFixed(0)} MB in the first tenth, ${f.rssMB.last.toFixed(0)} MB in the last, ${f.rssMB.max.toFixed(0)} MB at most (sampled each second), peak ${f.rssMB.peakHWM.toFixed(0)} MB (VmHWM)`,
  );
  say(`  RSS each 5 s: ${f.rssMB.series.filter((_, i) => i % 5 === 0).join(' ')} MB`);
  say(
    `  RSS between reloads: ${stretches.map((x) => `${x.from.toFixed(0)}-${x.to.toFixed(0)} s: ${x.startMB.toFixed(0)} -> ${x.endMB.toFixed(0)} MB`).join('; ')}`,
  );
  say(
    `  reloads during the load: ${reloads.map((x) => (x.how === 'http' ? `POST /v1/admin/reload -> ${x.status}` : 'SIGHUP')).join(', ')}; ${reloadCount} done; SIGTERM -> exit ${code}`,
  );
}

// Summary against the targets, as ratios to the command line in the same run.
const best = result.saturation[defaultWorkers];
say('');
say('summary (this run, this machine):');
say(
  `  CLI, one report as a whole process: ${(result.cli.onePredictSeconds * 1000).toFixed(0)} ms; through the service at 500 req/s: p50 ${result.fixedRate.p50ms} ms (x${((result.cli.onePredictSeconds * 1000) / Math.max(result.fixedRate.p50ms, 0.5)).toFixed(0)} faster)`,
);
say(`  single-report requests/s at saturation: ${Math.round(best.requestsPerSecond)} (target >= 2000)`);
say(`  p99 at 500 req/s: ${result.fixedRate.p99ms} ms (target <= 20 ms); errors: ${result.fixedRate.errors} (target 0)`);
say(
  `  RSS over ${FIXED_S} s: ${result.fixedRate.rssMB.first.toFixed(0)} -> ${result.fixedRate.rssMB.last.toFixed(0)} MB, peak ${result.fixedRate.rssMB.peakHWM.toFixed(0)} MB (target <= 300 MB, flat)`,
);
result.machine.loadAverageAtEnd = loadavg();
say(`  load average at the end: ${loadAvg()}`);
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
say(`written: ${jsonOut}`);
