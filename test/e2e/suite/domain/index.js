// The domain suite: run in test/e2e/fixtures/workspace-domain (the example domain: SYSVOL, LDIF
// topology, DC01 event log), see harness.e2e.test.mjs.
'use strict';
const { runDir } = require('../index.js');

exports.run = function run() {
  return runDir(__dirname);
};
