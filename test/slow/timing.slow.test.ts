/**
 * The suites with wall-time caps, run again with the caps on (RELAYLINT_TIMING=1, see
 * test/helpers/timing.ts). `npm test` runs the same tests without the time assertions.
 */
process.env.RELAYLINT_TIMING = '1';
/* eslint-disable @typescript-eslint/no-require-imports -- the suites must load after the variable is set */
require('../unit/robustness/parsers.property.test');
require('../unit/robustness/hostile-xml.test');
require('../unit/robustness/hostile-pol.test');
require('../unit/parsers/xml.test');
