// Entry point VS Code's extension-test harness loads (extensionTestsPath). Shared by the offline
// code-server runner (.e2e/run.mjs) and the desktop runner (scripts/e2e-desktop.mjs).
// Mocha 11 (CommonJS) with the tdd UI; every *.test.js file in this folder, in name order.
// Besides the spec reporter, each finished test is printed as one `E2E-RESULT {json}` line, which
// the code-server driver turns into node:test subtests.
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

exports.run = function run() {
  return runDir(__dirname);
};

/** Run every *.test.js in `dir` (also used by restricted/index.js, the Restricted Mode suite). */
function runDir(dir) {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30000, reporter: 'spec' });
  if (process.env.E2E_GREP) mocha.grep(process.env.E2E_GREP);
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(dir, f));
  }
  const report = (state, test, err) => {
    const r = { title: test.fullTitle(), state, duration: test.duration };
    if (err) r.err = { message: String(err.message || err), stack: String(err.stack || '') };
    console.log('E2E-RESULT ' + JSON.stringify(r));
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => (failures ? reject(new Error(`${failures} e2e test(s) failed`)) : resolve()));
      runner.on('pass', (t) => report('passed', t));
      runner.on('fail', (t, err) => report('failed', t, err));
      runner.on('pending', (t) => report('pending', t));
    } catch (err) {
      reject(err);
    }
  });
}
exports.runDir = runDir;
