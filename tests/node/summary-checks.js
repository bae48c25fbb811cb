// Checks of model.summary() shared by the float and int8 summary tests.
import assert from 'node:assert/strict';
import { summarize } from '../../web/index.js';

/** Pixels of an [height, width, channels] shape. */
export const pixels = ([h, w]) => h * w;

/** The totals are summarize()'s over the rows, and are the rows' sums and peak. */
export function checkTotals({ layers, totals }) {
  assert.deepEqual(totals, summarize(layers).totals);
  assert.equal(totals.params, layers.reduce((sum, row) => sum + row.params, 0));
  assert.equal(totals.macs, layers.reduce((sum, row) => sum + row.macs, 0));
  assert.equal(totals.peakActivationBytes, Math.max(...layers.map((row) => row.activationBytes)));
}
