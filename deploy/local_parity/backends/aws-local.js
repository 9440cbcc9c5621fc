#!/usr/bin/env node
// Kinesis + DynamoDB on ONE loopback port for the local_parity environment.
//
// Dapr's bindings.aws.kinesis (KCL, mode: shared) sends its Kinesis calls and its lease/checkpoint DynamoDB calls to
// the same `endpoint`, so both APIs must answer on one URL. kinesalite and dynalite each only build a request
// handler for their own API; this process owns the socket, binds it to 127.0.0.1 (the kinesalite CLI binds every
// interface) and hands each request to the right handler by the X-Amz-Target prefix.
//
// Usage: node aws-local.js --port 54567 --data-dir /tmp/platform-local_parity/aws
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { parseArgs } = require('node:util');
const kinesalite = require('kinesalite');
const dynalite = require('dynalite');

const HOST = '127.0.0.1';
const SHUTDOWN_GRACE_MS = 2000;

function usage(problem) {
  console.error(`aws-local: ${problem}\nusage: node aws-local.js --port <1-65535> --data-dir <dir>`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({ options: { port: { type: 'string' }, 'data-dir': { type: 'string' } } }));
} catch (err) {
  usage(err.message);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) usage(`bad --port '${args.port ?? ''}'`);
if (!args['data-dir']) usage('--data-dir is required');
const dataDir = path.resolve(args['data-dir']);
const kinesisDir = path.join(dataDir, 'kinesis');
const dynamoDir = path.join(dataDir, 'dynamodb');
fs.mkdirSync(kinesisDir, { recursive: true });
fs.mkdirSync(dynamoDir, { recursive: true });

// The libraries return an http.Server wired to their handler; we never listen on those servers, we only borrow the
// handler. Zero delays make streams/tables ACTIVE at once, so callers need no wait loops.
function handlerOf(server) {
  const [handler] = server.listeners('request');
  return handler;
}

const routes = [
  {
    prefix: 'Kinesis_20131202.',
    handle: handlerOf(kinesalite({
      path: kinesisDir,
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: 100,
    })),
  },
  {
    prefix: 'DynamoDB_20120810.',
    handle: handlerOf(dynalite({
      path: dynamoDir,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    })),
  },
];

function reject(res, message) {
  const body = JSON.stringify({ __type: 'UnknownOperationException', message });
  res.writeHead(400, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const target = req.headers['x-amz-target'] ?? '';
  const route = routes.find((r) => target.startsWith(r.prefix));
  if (route) {
    route.handle(req, res);
    return;
  }
  // Drain the body so a keep-alive connection stays usable after the error reply.
  req.resume();
  reject(res, `aws-local serves only ${routes.map((r) => r.prefix + '*').join(' and ')} (X-Amz-Target='${target}')`);
});

server.on('error', (err) => {
  console.error(`aws-local: cannot listen on ${HOST}:${port}: ${err.message}`);
  process.exit(1);
});

server.listen(port, HOST, () => {
  console.log(`aws-local listening on http://${HOST}:${port} (data: ${dataDir})`);
});

// LevelDB appends every acknowledged write to its log before replying, so stopping the socket and letting in-flight
// requests finish is enough for the data to survive a restart; the kernel drops the LevelDB lock on exit.
function shutdown(signal) {
  console.log(`aws-local: ${signal}, stopping`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, SHUTDOWN_GRACE_MS).unref();
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
