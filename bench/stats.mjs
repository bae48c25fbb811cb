// Timing statistics and the measurement loop shared by the peer benchmark and bench/compare.mjs.

/** {median, min, p90, runs} of a list of milliseconds. */
export function summarize(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (fraction) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
  return { median: at(0.5), min: sorted[0], p90: at(0.9), runs: sorted.length };
}

/**
 * Wraps an engine so its process CPU time (all threads) and wall time are summed over every
 * run (engine.cpuMs, engine.wallMs), and the CPU time of the latest run is kept
 * (engine.lastCpuMs) for timeEngines to record per timed run. On an oversubscribed machine
 * a one-thread engine's CPU time is the steadier measure: time spent preempted is not counted.
 */
export function withCpu(engine) {
  engine.cpuMs = 0;
  engine.wallMs = 0;
  const once = engine.once;
  engine.once = async () => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await once();
    engine.wallMs += performance.now() - start;
    const used = process.cpuUsage(cpu);
    engine.lastCpuMs = (used.user + used.system) / 1000;
    engine.cpuMs += engine.lastCpuMs;
  };
  return engine;
}

/**
 * Times `engines` ([{name, once: async () => {}}]) `runs` times each. Each engine is first
 * run for `warmupMs` (V8 compiles WebAssembly with a baseline compiler first and tiers hot
 * functions up later; timing before that measures the wrong code). The timed runs are then
 * taken in `rounds` rounds, every engine doing its share of runs in each round: load from
 * other processes on the machine then lands on all engines alike instead of on whichever
 * ran at the wrong moment, while consecutive runs of one engine still find their weights in
 * cache, as repeated inference in an application does.
 *
 * If `samples` (a Map) is given, it receives each engine's raw timed runs by name:
 * {times: [ms], cpu: [ms]} (cpu only for engines wrapped by withCpu), for statistics
 * beyond summarize's.
 */
export async function timeEngines(engines, { runs, warmupMs, rounds = Math.min(10, runs), samples }) {
  for (const engine of engines) {
    const end = performance.now() + warmupMs;
    let count = 0;
    while (performance.now() < end || count < 3) { await engine.once(); ++count; }
  }
  const times = new Map(engines.map((engine) => [engine.name, []]));
  const cpu = new Map(engines.map((engine) => [engine.name, []]));
  const perRound = Math.ceil(runs / rounds);
  for (let round = 0; round < rounds; ++round) {
    for (const engine of engines) {
      const list = times.get(engine.name);
      await engine.once();  // caches back to this engine's data before timing it
      for (let i = 0; i < perRound && list.length < runs; ++i) {
        const start = performance.now();
        await engine.once();
        list.push(performance.now() - start);
        if (engine.lastCpuMs !== undefined) cpu.get(engine.name).push(engine.lastCpuMs);
      }
    }
  }
  if (samples) for (const [name, list] of times) samples.set(name, { times: list, cpu: cpu.get(name) });
  return new Map([...times].map(([name, list]) => [name, summarize(list)]));
}
