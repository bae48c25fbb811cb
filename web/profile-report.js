// Per-layer timing against the machine's SIMD128 peak at the model's precision: `bench --profile` and the peer
// benchmark (scripts/bench-peers.mjs) print this table, so the hot spots and each layer's
// efficiency are visible at a glance.
import { measureSimdPeak, PEAK_KERNELS, peakKind } from './simd-peak.js';

/**
 * Profiles `model` on `image`: {precision, peak, peakGmacs, layers: [{name, type, macs, ms, gmacs,
 * percentOfPeak}], totals: {macs, ms, gmacs, percentOfPeak}}. Layer times are medians over
 * `runs` runs; the peak is that of the kernels the model runs (peak: a PEAK_KERNELS key).
 */
export async function profileReport(model, image, { runs = 20, warmupMs = 2500 } = {}) {
  const precision = model.precision === 'int8' ? 'int8' : 'float32';
  const relaxed = model.backend.startsWith('relaxed-simd');
  const { gmacs: peakGmacs } = await measureSimdPeak({ warmupMs, precision, relaxed });
  const { layers, totals } = await model.profile(image, { runs });
  const rate = (macs, ms) => (ms > 0 ? macs / ms / 1e6 : 0);
  const rows = layers.map(({ name, type, macs, ms }) => ({
    name, type, macs, ms, gmacs: rate(macs, ms), percentOfPeak: (100 * rate(macs, ms)) / peakGmacs,
  }));
  const total = { macs: totals.macs, ms: totals.ms, gmacs: rate(totals.macs, totals.ms) };
  total.percentOfPeak = (100 * total.gmacs) / peakGmacs;
  return { precision, peak: peakKind(precision, relaxed), peakGmacs, layers: rows, totals: total };
}

/** The report as text lines: one row per layer, the share of time, and a total. */
export function formatProfile({ precision = 'float32', peak = precision, peakGmacs, layers, totals }) {
  const lines = [`${PEAK_KERNELS[peak]}: ${peakGmacs.toFixed(2)} GMAC/s`];
  const header = ['layer', 'type', 'MMAC', 'ms', 'share', 'GMAC/s', '% peak'];
  const cells = layers.map((l) => [l.name, l.type, (l.macs / 1e6).toFixed(1), l.ms.toFixed(3),
    `${((100 * l.ms) / totals.ms).toFixed(1)}%`, l.gmacs.toFixed(2), l.macs > 0 ? `${l.percentOfPeak.toFixed(0)}%` : '-']);
  cells.push(['total', '', (totals.macs / 1e6).toFixed(1), totals.ms.toFixed(3), '100%', totals.gmacs.toFixed(2),
    `${totals.percentOfPeak.toFixed(0)}%`]);
  const widths = header.map((_, i) => Math.max(...[header, ...cells].map((row) => String(row[i]).length)));
  for (const row of [header, ...cells]) {
    lines.push(row.map((cell, i) => (i < 2 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  '));
  }
  return lines;
}
