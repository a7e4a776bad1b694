// The Restricted Mode suite: run in a folder opened with workspace trust on and the folder not
// trusted (test/e2e/fixtures/workspace-restricted, see harness.e2e.test.mjs).
'use strict';
const { runDir } = require('../index.js');

exports.run = function run() {
  return runDir(__dirname);
};
