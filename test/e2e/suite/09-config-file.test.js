// relaylint.json in a trusted folder applies (the counterpart of the Restricted Mode suite, where the
// same file must not silence anything). The server reads the config file.
'use strict';
const h = require('./helpers');

suite('config file (trusted folder)', () => {
  test('configfile/relaylint.json turns smb.server.require off for the files below it', async () => {
    const doc = await h.open('configfile/GptTmpl.inf');
    await h.waitForDiagnostics(doc.uri, (d) => h.hasCode('smb.client.require')(d) && h.lacksCode('smb.server.require')(d), 'smb.client.require without smb.server.require');
  });
});
