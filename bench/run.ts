import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatResult, runBenchmark, type Benchmark } from './harness.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2).join(' ').toLowerCase();
const files = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

let failures = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { benchmarks: Benchmark[] };
  for (const b of mod.benchmarks) {
    if (filter && !`${file} ${b.name}`.toLowerCase().includes(filter)) continue;
    try {
      console.log(formatResult(await runBenchmark(b)));
    } catch (err) {
      failures++;
      console.log(`${b.name.padEnd(52)} FAILED: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
process.exitCode = failures ? 1 : 0;
