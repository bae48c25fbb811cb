// The demo's engine switches: precision (float32 / int8) and threads (1 or 2; only where the
// page is cross-origin isolated, which the pthreads build needs), kept in the address like
// the worker toggle, and the backend that runs (model.backend: 'simd' or 'relaxed-simd',
// '-threads' for the pthreads build).
const $ = (id) => document.getElementById(id);

/** Reads the switches from the address, wires them to `onChange`, and disables threads where impossible. */
export function watchEngineOptions(onChange) {
  const params = new URLSearchParams(location.search);
  const precision = $('precision-select');
  const threads = $('threads-select');
  precision.value = params.get('precision') === 'int8' ? 'int8' : 'float32';
  const isolated = globalThis.crossOriginIsolated === true;
  threads.disabled = !isolated;
  threads.value = isolated && params.get('threads') === '2' ? '2' : '1';
  $('threads-hint').hidden = isolated;
  for (const [select, name, fallback] of [[precision, 'precision', 'float32'], [threads, 'threads', '1']]) {
    select.addEventListener('change', () => {
      const url = new URL(location.href);
      if (select.value === fallback) url.searchParams.delete(name);
      else url.searchParams.set(name, select.value);
      history.replaceState(null, '', url);
      onChange();
    });
  }
}

/** load()'s options for the current switches. */
export function engineOptions() {
  return { precision: $('precision-select').value, threads: Number($('threads-select').value) };
}

export function showBackend(backend) {
  $('backend').textContent = backend ?? '–';
}
