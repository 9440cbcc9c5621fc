#!/usr/bin/env node
// Writes the local_parity secrets file read by Dapr's secretstores.local.file (flat top-level keys) and prints the
// raw API keys as `export K="V"` lines for the env file. Only SHA-256 hashes of the API keys go into the secrets file.
//
// Usage: PLATFORM_PG_DSN='host=... password=...' node make-secrets.js <secrets.json path>
// (the DSN comes from the environment because a command line is visible to every user on the machine)
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');

const [outPath] = process.argv.slice(2);
const pgDsn = process.env.PLATFORM_PG_DSN;
if (!outPath || !pgDsn) {
  console.error('usage: PLATFORM_PG_DSN=<libpq dsn> node make-secrets.js <secrets.json path>');
  process.exit(2);
}

const randomToken = () => crypto.randomBytes(32).toString('base64url');
const sha256Hex = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

const apiKeys = [
  {
    env: 'PLATFORM_PRODUCER_API_KEY',
    key: `pk_${randomToken()}`,
    entry: {
      key_id: 'producer-synthetic',
      principal: 'SYSTEM::synthetic_producer',
      source_type: 'SYSTEM',
      roles: ['producer:traffic', 'producer:context'],
    },
  },
  {
    env: 'PLATFORM_OPERATOR_API_KEY',
    key: `pk_${randomToken()}`,
    entry: {
      key_id: 'operator-local',
      principal: 'HUMAN::local_operator',
      source_type: 'HUMAN',
      roles: ['operator', 'governance'],
    },
  },
  {
    // The chargeback feed (`platformctl labels feed`): an EXTERNAL label source writing through cm's writer boundary.
    env: 'PLATFORM_LABEL_FEED_API_KEY',
    key: `pk_${randomToken()}`,
    entry: {
      key_id: 'label-feed-chargebacks',
      principal: 'SYSTEM::chargeback_feed',
      source_type: 'SYSTEM',
      roles: ['label-feed'],
    },
  },
  {
    env: 'PLATFORM_ANALYST_API_KEY',
    key: `pk_${randomToken()}`,
    entry: {
      key_id: 'analyst-local',
      principal: 'HUMAN::local_analyst',
      source_type: 'HUMAN',
      roles: ['labeler'],
    },
  },
];

const secrets = {
  'postgres-connection-string': pgDsn,
  's3-access-key': 'S3RVER',
  's3-secret-key': 'S3RVER',
  'aws-access-key': 'local',
  'aws-secret-key': 'local',
  // A secret value is a string, so the allowlist travels as serialized JSON.
  'api-keys': JSON.stringify(apiKeys.map(({ key, entry }) => ({
    key_id: entry.key_id,
    key_sha256: sha256Hex(key),
    principal: entry.principal,
    source_type: entry.source_type,
    roles: entry.roles,
  }))),
  'app-api-token': randomToken(),
};

// 'wx': never overwrite or follow an existing file; mode applies at creation, so the secrets are never world-readable.
fs.writeFileSync(outPath, `${JSON.stringify(secrets, null, 2)}\n`, { flag: 'wx', mode: 0o600 });

for (const { env, key } of apiKeys) {
  console.log(`export ${env}="${key}"`);
}
