/**
 * The benchmarks' load driver: `CONCURRENCY` clients POST the same form body to one URL for `SECONDS`, and every
 * answer is checked (a wrong answer counts as a failure, so a fast error path cannot pass for a fast route).
 */

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

export interface Load {
  requests: number;
  perSecond: number;
  meanMs: number;
  p95Ms: number;
  failures: number;
}

export async function load(url: string, body: string, expected: string | ((text: string) => boolean)): Promise<Load> {
  const matches = typeof expected === 'string' ? (text: string) => text === expected : expected;
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const text = await response.text();
      latencies.push(performance.now() - started);
      if (!matches(text)) failures += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    p95Ms: percentile(latencies, 0.95),
    failures,
  };
}

export const fmt = (n: number) => n.toFixed(1);

/** The value below which a fraction `p` of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/**
 * Runs `work` under V8's CPU profiler when `BENCH_CPU_PROFILE` names a file (the app under test runs in this thread,
 * so the profile shows where a request's time goes); otherwise just runs it. Open the file in Chrome's DevTools.
 */
export async function profiled<T>(work: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return work();
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}
