// Loaded with `node -r` before mctl by bench/profile-fleet.js (never by `npm run bench`, whose
// (b) runs mctl as a user runs it). Notes, in epoch milliseconds, when Node had started and was
// about to load mctl, when each HTTP request was sent, answered and (read whole) read, and when
// mctl exited, and
// writes them as JSON to MCTL_TRACE_FILE on exit. mctl's own code is not changed.
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const file = process.env.MCTL_TRACE_FILE;
if (file) {
  const trace = { processStart: performance.timeOrigin, preload: Date.now(), requests: [] };
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = new URL(String(input?.url ?? input));
    const request = { method: init?.method ?? 'GET', path: url.pathname, sent: Date.now() };
    trace.requests.push(request);
    const response = await original(input, init);
    request.answered = Date.now();
    // When the whole body was read, for the answers mctl reads whole (not the NDJSON stream).
    for (const method of ['text', 'json', 'arrayBuffer']) {
      const read = response[method].bind(response);
      response[method] = async () => {
        const body = await read();
        request.bodyRead = Date.now();
        return body;
      };
    }
    return response;
  };
  process.on('exit', () => {
    trace.exit = Date.now();
    writeFileSync(file, JSON.stringify(trace));
  });
}
