// The TypeScript declarations cover the whole public API: every export and every public member
// of a loaded model is declared, and a consumer written against them type-checks (tsc), with
// the mistakes it marks as errors still rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../../web/index.js';
import * as decodeImage from '../../web/decode-image.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const declarations = (file) => readFileSync(path.join(repoRoot, 'web', file), 'utf8');

function declaredExports(text) {
  const names = new Set();
  for (const [, name] of text.matchAll(/^export (?:declare )?(?:async )?(?:function|const|let|class) (\w+)/gm)) names.add(name);
  for (const [, list] of text.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const name of list.split(',')) names.add(name.trim().split(/\s+as\s+/).pop());
  }
  return names;
}

/** The body of `export interface NAME { ... }` (declarations here do not nest braces deeply). */
function interfaceBody(text, name) {
  const start = text.indexOf(`export interface ${name} {`);
  assert.ok(start >= 0, `index.d.ts declares interface ${name}`);
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; ++i) {
    if (text[i] === '{') ++depth;
    if (text[i] === '}' && --depth === 0) return text.slice(start, i);
  }
  throw new Error(`unterminated interface ${name}`);
}

function publicMembers(instance) {
  const members = new Set(Object.keys(instance).filter((key) => !key.startsWith('_')));
  for (let proto = Object.getPrototypeOf(instance); proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor' && !name.startsWith('_')) members.add(name);
  }
  return members;
}

test('every export of web/index.js and web/decode-image.js is declared', () => {
  for (const [module, file] of [[api, 'index.d.ts'], [decodeImage, 'decode-image.d.ts']]) {
    const declared = declaredExports(declarations(file));
    for (const name of Object.keys(module)) assert.ok(declared.has(name), `${name} is exported but not declared in web/${file}`);
    for (const name of declared) assert.ok(name in module, `web/${file} declares ${name}, which is not exported`);
  }
});

for (const [loader, name] of [['load', 'MobileNetV2'], ['loadDetector', 'Detector']]) {
  test(`every public member of a model from ${loader}() is declared in ${name}`, async () => {
    const body = interfaceBody(declarations('index.d.ts'), name);
    const model = await api[loader]();
    try {
      for (const member of publicMembers(model)) {
        assert.match(body, new RegExp(`^\\s+(readonly )?${member}[(:?]`, 'm'), `${name}.${member} is not declared`);
      }
    } finally {
      model.dispose();
    }
  });
}

test('every public member of a head from createHead() is declared in Head', async () => {
  const body = interfaceBody(declarations('index.d.ts'), 'Head');
  const model = await api.load();
  const head = model.createHead();
  try {
    for (const member of publicMembers(head)) {
      assert.match(body, new RegExp(`^\\s+(readonly )?${member}[(:?]`, 'm'), `Head.${member} is not declared`);
    }
  } finally {
    head.dispose();
    model.dispose();
  }
});

test('a TypeScript consumer type-checks against the declarations', () => {
  const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'tests/package/types/tsconfig.json')], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
