// What the benchmark scripts (scripts/bench-peers.mjs, scripts/bench-browser.mjs) print and
// write alike: the machine, package versions, and tables for the console and for Markdown.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The installed version of a package of this repository's node_modules, or 'not installed'. */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** The CPU (from /proc/cpuinfo), its core count and SIMD flags, and Node's and V8's versions. */
export function machineFacts() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const field = (name) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim() ?? '?';
  const flags = field('flags').split(' ');
  return {
    cpu: `${field('model name')} (family ${field('cpu family')}, model ${field('model')})`,
    cores: cpus().length,
    simdFlags: ['sse4_1', 'avx', 'avx2', 'fma', 'avx512f'].filter((flag) => flags.includes(flag)).join(' '),
    cache: field('cache size'),
    node: process.version,
    v8: process.versions.v8,
  };
}

/** A plain-text table (first column left-aligned, the others right-aligned) as lines. */
export function table(header, rows) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** The same as a Markdown table (numbers right-aligned). */
export function markdownTable(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`)];
}
