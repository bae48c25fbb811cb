// Running web/cli.js as a user does, for the command-line tests: a child Node process, its
// exit code and output, and what a clean failure looks like.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared-data.js';

export const cliPath = path.join(repoRoot, 'web/cli.js');

/** Runs `node web/cli.js ...args`; returns {code, stdout, stderr}. */
export function runCli(...args) {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit code 1, nothing on stdout, a message matching `pattern` and no stack trace. */
export function assertCleanFailure({ code, stdout, stderr }, pattern) {
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}
