/**
 * No-network guard for tests (issue 6: "nothing in the product opens a socket; the tests fail if
 * it tries"). Preload it:
 *
 *   RELAYLINT_NETWORK_LOG=/tmp/attempts.jsonl node --require test/helpers/no-network.js server/out/cli.js …
 *
 * It replaces every way Node code reaches the network — net.Socket.prototype.connect, net.connect /
 * createConnection, tls.connect, http/https request/get, http2.connect, dgram sockets, every dns
 * lookup/resolve function (callback, promises and Resolver APIs) and globalThis.fetch — with a
 * function that records the attempt and throws (fetch rejects). Local IPC is allowed: a socket
 * connect to a `path` (Unix domain socket or Windows named pipe) is passed through.
 *
 * Attempts are appended, one JSON object per line, to the file named by RELAYLINT_NETWORK_LOG
 * (synchronously, so a process that dies right after still leaves the record), and kept in
 * `globalThis.__relaylintNetworkAttempts`. Worker threads inherit `--require` through execArgv and
 * are guarded the same way; NODE_OPTIONS=--require … guards child processes too.
 *
 * Plain CommonJS on purpose: it is loaded before anything else and is not compiled.
 */
'use strict';

const fs = require('node:fs');
const net = require('node:net');
const tls = require('node:tls');
const http = require('node:http');
const https = require('node:https');
const http2 = require('node:http2');
const dgram = require('node:dgram');
const dns = require('node:dns');

const GUARD = Symbol.for('relaylint.noNetwork');
if (!globalThis[GUARD]) {
  globalThis[GUARD] = true;
  const attempts = (globalThis.__relaylintNetworkAttempts = []);
  const logFile = process.env.RELAYLINT_NETWORK_LOG;
  let threadId = 0;
  try {
    threadId = require('node:worker_threads').threadId;
  } catch {
    // no worker_threads
  }

  function describeTarget(args) {
    const out = [];
    for (const a of args) {
      if (typeof a === 'function') continue;
      if (a && typeof a === 'object') {
        const o = {};
        for (const k of ['href', 'protocol', 'host', 'hostname', 'port', 'path', 'address', 'family', 'method', 'url']) {
          if (a[k] !== undefined && typeof a[k] !== 'function') o[k] = String(a[k]);
        }
        out.push(Object.keys(o).length ? o : String(a));
      } else out.push(String(a));
    }
    return out;
  }

  function record(api, args) {
    const entry = {
      api,
      target: describeTarget(args),
      pid: process.pid,
      thread: threadId,
      stack: (new Error().stack || '').split('\n').slice(3, 9).map((l) => l.trim()),
    };
    attempts.push(entry);
    if (logFile) {
      try {
        fs.appendFileSync(logFile, JSON.stringify(entry) + '\n');
      } catch {
        // the record in memory stays
      }
    }
    const err = new Error(`relaylint test guard: network access is not allowed (${api} ${JSON.stringify(entry.target)})`);
    err.code = 'ERR_RELAYLINT_NO_NETWORK';
    return err;
  }

  function blocked(api) {
    return function blockedNetworkCall(...args) {
      throw record(api, args);
    };
  }

  // A connect to a Unix domain socket / named pipe is local IPC; everything else is network.
  function isLocalIpc(args) {
    let first = args[0];
    // net.connect() passes [options, callback] with an internal marker as one array argument.
    if (Array.isArray(first)) first = first[0];
    // connect(path[, listener]); a string that reads as a number is a TCP port (net's isPipeName).
    if (typeof first === 'string') {
      const n = Number(first);
      return Number.isNaN(n) || n < 0;
    }
    return !!(first && typeof first === 'object' && typeof first.path === 'string' && first.path !== '' && first.port === undefined && first.host === undefined);
  }

  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    if (isLocalIpc(args)) return originalConnect.apply(this, args);
    throw record('net.Socket.connect', Array.isArray(args[0]) ? args[0] : args);
  };
  for (const name of ['connect', 'createConnection']) {
    const original = net[name];
    net[name] = function guardedNetConnect(...args) {
      if (isLocalIpc(args)) return original.apply(this, args);
      throw record(`net.${name}`, args);
    };
  }
  tls.connect = blocked('tls.connect');
  for (const [mod, label] of [
    [http, 'http'],
    [https, 'https'],
  ]) {
    mod.request = blocked(`${label}.request`);
    mod.get = blocked(`${label}.get`);
  }
  http2.connect = blocked('http2.connect');
  dgram.createSocket = blocked('dgram.createSocket');
  for (const name of ['send', 'connect', 'bind']) dgram.Socket.prototype[name] = blocked(`dgram.Socket.${name}`);

  const DNS_FUNCTIONS = /^(lookup|lookupService|reverse|resolve\w*)$/;
  const guardDns = (target, label) => {
    if (!target) return;
    for (const name of Object.getOwnPropertyNames(target)) {
      if (DNS_FUNCTIONS.test(name) && typeof target[name] === 'function') {
        try {
          target[name] = blocked(`${label}.${name}`);
        } catch {
          // read-only
        }
      }
    }
  };
  guardDns(dns, 'dns');
  guardDns(dns.Resolver && dns.Resolver.prototype, 'dns.Resolver');
  guardDns(dns.promises, 'dns.promises');
  guardDns(dns.promises && dns.promises.Resolver && dns.promises.Resolver.prototype, 'dns.promises.Resolver');
  try {
    const dnsPromises = require('node:dns/promises');
    guardDns(dnsPromises, 'dns/promises');
    guardDns(dnsPromises.Resolver && dnsPromises.Resolver.prototype, 'dns/promises.Resolver');
  } catch {
    // older Node
  }

  if (typeof globalThis.fetch === 'function') {
    globalThis.fetch = function guardedFetch(...args) {
      return Promise.reject(record('fetch', args));
    };
  }
  if (typeof globalThis.WebSocket === 'function') {
    globalThis.WebSocket = blocked('WebSocket');
  }
}
