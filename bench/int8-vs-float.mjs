// Interleaved A/B timing of classify() (a developer tool): loads the int8 and the float32
// classifier (1 thread) from each given package root (default: this checkout), then runs them
// in turn, round after round, so that every variant sees the same machine load; prints each
// variant's median and min and the int8/float ratio per root. Usage:
//   node bench/int8-vs-float.mjs [--rounds N] [ROOT...]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '40' } }, allowPositionals: true });
const roots = positionals.length ? positionals : [path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')];
const size = 224;
const data = new Uint8Array(size * size * 4);
let seed = 1;
for (let i = 0; i < data.length; ++i) { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = seed >>> 24; }
const image = { data, width: size, height: size };

const variants = [];
for (const root of roots) {
  const { load } = await import(pathToFileURL(path.join(path.resolve(root), 'web/index.js')).href);
  for (const precision of ['int8', 'float32']) {
    variants.push({ name: `${root} ${precision}`, root, precision, model: await load({ precision, threads: 1 }), times: [] });
  }
}
for (const v of variants) {
  const end = performance.now() + 2000;
  while (performance.now() < end) await v.model.classify(image);
}
for (let round = 0; round < Number(values.rounds); ++round) {
  for (const v of variants) {
    const start = performance.now();
    await v.model.classify(image, { topK: 1 });
    v.times.push(performance.now() - start);
  }
}
const median = (t) => { const s = [...t].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const v of variants) {
  console.log(`${v.name}: median ${median(v.times).toFixed(2)} ms, min ${Math.min(...v.times).toFixed(2)} ms`);
}
for (const root of roots) {
  const [q, f] = variants.filter((v) => v.root === root);
  console.log(`${root}: int8/float median ratio ${(median(q.times) / median(f.times)).toFixed(3)}`);
}
for (const v of variants) v.model.dispose();
