// Loaded with `node -r` before mctl by bench/profile-fleet.js (never by `npm run bench`, whose
// (b) runs mctl as a user runs it). Notes, in epoch milliseconds, when Node had started and was
// about to load mctl, when each HTTP request was sent, answered (headers) and its body read to
// the end, and when mctl exited; writes them as JSON to MCTL_TRACE_FILE on exit. mctl's own
// code is not changed: node:http's and node:https's request() are wrapped.
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const file = process.env.MCTL_TRACE_FILE;
if (file) {
  const trace = { processStart: performance.timeOrigin, preload: Date.now(), requests: [] };
  for (const name of ['node:http', 'node:https']) {
    const lib = require(name);
    const original = lib.request;
    lib.request = function request(...args) {
      const url = args.find((a) => a instanceof URL || typeof a === 'string');
      const options = args.find((a) => a && typeof a === 'object' && !(a instanceof URL));
      const entry = {
        method: options?.method ?? 'GET',
        path: url ? new URL(String(url)).pathname : String(options?.path),
        sent: Date.now(),
        // The clock of --cpu-prof profiles (microseconds), to read a profile between two events.
        sentUs: Number(process.hrtime.bigint() / 1000n),
      };
      trace.requests.push(entry);
      const req = original.apply(this, args);
      req.once('response', (res) => {
        entry.answered = Date.now();
        res.once('end', () => {
          entry.bodyRead = Date.now();
          entry.bodyReadUs = Number(process.hrtime.bigint() / 1000n);
        });
      });
      return req;
    };
  }
  process.on('exit', () => {
    trace.exit = Date.now();
    writeFileSync(file, JSON.stringify(trace));
  });
}
