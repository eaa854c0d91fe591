// Adds up the Jest JSON reports of every project that has a test target. A project
// whose report is missing (it did not compile or crashed) counts as one failure,
// so a broken suite can never vanish from the totals.
const fs = require('node:fs');
const path = require('node:path');

const resultsDir = process.argv[2] ?? '.test-results';
const root = path.resolve(__dirname, '..');
const projects = ['libs', 'apps']
  .flatMap((dir) =>
    fs.existsSync(path.join(root, dir))
      ? fs.readdirSync(path.join(root, dir)).map((p) => path.join(dir, p))
      : [],
  )
  .concat(['deploy'])
  .filter((p) => {
    const pkg = path.join(root, p, 'package.json');
    return fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).scripts?.test;
  });

// The container test is part of every run unless left out on purpose; its report must then
// exist like any other, so an engine that did not start counts as a failure.
const reports = projects.map((p) => [p, path.basename(p)]);
if (process.env.SWITCHBOARD_CONTAINER_TESTS !== '0')
  reports.push(['deploy (containers)', 'containers']);
else console.log('deploy (containers): left out (SWITCHBOARD_CONTAINER_TESTS=0)');

let passed = 0;
let failed = 0;
for (const [project, name] of reports) {
  const report = path.join(root, resultsDir, `${name}.json`);
  if (!fs.existsSync(report)) {
    console.log(`${project}: no test report (suite did not run)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  // Suites that fail to load have no test results but count as failures.
  const brokenSuites = r.testResults.filter(
    (s) => s.status === 'failed' && s.assertionResults.length === 0,
  ).length;
  console.log(`${project}: ${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed`);
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenSuites;
}
// Lint and format checks written by scripts/test.sh, one file each.
for (const check of ['lint', 'format-check']) {
  const file = path.join(root, resultsDir, `${check}.check`);
  const ok = fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() === 'pass';
  console.log(`${check}: ${ok ? 'passed' : 'FAILED'}`);
  if (ok) passed += 1;
  else failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
