// When two classifiers' top-1s count as the same answer although their arithmetic differs.
// No Node imports: the Node peer benchmark and the browser benchmark's page both use it.

/** The classes of the k highest values (ties: the lower index first, as an argmax gives). */
export const topK = (values, k) => [...values.keys()].sort((a, b) => values[b] - values[a]).slice(0, k);

/**
 * How the int8 peer's top-1 relates to ours: {oursTop, ortTop, same, swapped}. Integer
 * arithmetic that rounds differently (TFLite's fixed point vs ORT's float requantization) can
 * swap two nearly tied classes, so "same or swapped" is agreement; anything more is a wrong
 * graph. `swapped` means ours ranks ORT's top-1 second and ORT ranks ours second. (Named for
 * the Node benchmark's pair; the browser benchmark passes its reference engine as `ours` and
 * any other engine as `ort`.)
 */
export function compareInt8Top(ours, ort) {
  const [oursTop, oursSecond] = topK(ours, 2);
  const [ortTop, ortSecond] = topK(ort, 2);
  return { oursTop, ortTop, same: oursTop === ortTop, swapped: oursSecond === ortTop && ortSecond === oursTop };
}
