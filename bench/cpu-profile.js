#!/usr/bin/env node
// Reads a V8 .cpuprofile (node --cpu-prof) and says where its CPU time went: self time by
// where the code lives (a package under node_modules, a Switchboard project, Node's own
// internals, garbage collection, native code) and the busiest functions. Samples can be limited
// to time windows given in the profile's clock (CLOCK_MONOTONIC microseconds, the clock of
// process.hrtime in every process on the machine), so a long-running process's profile is read
// only over the runs being measured.
// Standalone: node bench/cpu-profile.js FILE.cpuprofile [TOP]
const { readFileSync } = require('node:fs');

/** Where a frame's code lives, for grouping. */
function placeOf(frame) {
  const { url, functionName } = frame.callFrame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'native (V8, libuv, syscalls)';
  if (functionName === '(idle)') return 'idle';
  if (!url) return 'native (V8, libuv, syscalls)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1].startsWith('@switchboard/') ? pkg[1] : `npm ${pkg[1]}`;
  const own = /\/(apps|libs)\/([^/]+)\//.exec(url);
  if (own) return `@switchboard/${own[2]}`;
  return url.split('/').slice(-2).join('/');
}

/**
 * Self time per place and per function over the samples inside `windows` (all samples when
 * none): milliseconds, idle left out. Each sample counts as one sampling interval (the median
 * gap between samples), not as the gap that follows it: on a loaded machine the process is
 * often descheduled, and the gap after a sample then measures the wait for a core, not CPU.
 * Counted so, the busy time comes close to the CPU time the kernel reports for the process.
 */
function summarize(profile, windows) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const gaps = [...profile.timeDeltas].sort((a, b) => a - b);
  const interval = gaps[Math.floor(gaps.length / 2)] ?? 0;
  const self = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (windows && !windows.some(([from, to]) => t >= from && t <= to)) continue;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + interval);
  }
  const places = new Map();
  const functions = new Map();
  let busyUs = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    const place = placeOf(node);
    if (place === 'idle') continue;
    busyUs += us;
    places.set(place, (places.get(place) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${place} ${url.split('/').pop()}:${
      lineNumber + 1
    }`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const ranked = (map) =>
    [...map].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000 }));
  return { busyMs: busyUs / 1000, places: ranked(places), functions: ranked(functions) };
}

/** Lines for a report: the places, then the top functions, with their share of busy time. */
function describe(summary, top = 8) {
  const pct = (ms) => `${((100 * ms) / summary.busyMs).toFixed(1)}%`;
  return [
    `busy ${summary.busyMs.toFixed(0)} ms`,
    ...summary.places
      .slice(0, top)
      .map((p) => `  ${pct(p.ms).padStart(6)} ${p.ms.toFixed(0).padStart(6)} ms  ${p.name}`),
    '  top functions (self):',
    ...summary.functions
      .slice(0, top)
      .map((f) => `  ${pct(f.ms).padStart(6)} ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`),
  ];
}

module.exports = { summarize, describe };

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/cpu-profile.js FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')));
  console.log(describe(summary, Number(top ?? 15)).join('\n'));
}
