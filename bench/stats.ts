/**
 * Benchmark of stats/ against R survival (when Rscript with survival is available).
 *   npm run bench:stats            (env: BENCH_REPS=5 to change the repetitions)
 * Cox PH n = 100,000, p = 10, Efron ties; Kaplan–Meier and log-rank n = 1,000,000.
 * Reports the median wall time of repeated runs and, if R is present, R's median for the same
 * fits on the same data (R timing covers the coxph/survfit/survdiff call only, not data loading)
 * and the ratio TS / R.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coxPH, kaplanMeier, logRank } from '../stats/index.ts';

const REPS = Number(process.env.BENCH_REPS ?? 5);

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeData(n: number, p: number, seed: number) {
  const rnd = mulberry32(seed);
  const norm = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const cov: Record<string, Float64Array> = {};
  const beta: number[] = [];
  for (let j = 0; j < p; j++) {
    const col = new Float64Array(n);
    const binary = j % 3 === 2;
    for (let i = 0; i < n; i++) col[i] = binary ? (rnd() < 0.4 ? 1 : 0) : Math.round(norm() * 1000) / 1000;
    cov[`x${j + 1}`] = col;
    beta.push(((j % 5) - 2) * 0.15);
  }
  const time = new Float64Array(n);
  const event = new Float64Array(n);
  const group = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lp = 0;
    for (let j = 0; j < p; j++) lp += beta[j] * cov[`x${j + 1}`][i];
    const t = (-Math.log(1 - rnd()) * 1000) / Math.exp(lp);
    const c = rnd() * 3000;
    time[i] = Math.max(1, Math.ceil(Math.min(t, c)));
    event[i] = t <= c ? 1 : 0;
    group[i] = p > 0 ? (cov.x3 ? cov.x3[i] : 0) : rnd() < 0.5 ? 1 : 0;
  }
  return { time, event, cov, group };
}

function median(x: number[]): number {
  const s = [...x].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** median wall-clock ms and median CPU ms (user + system) of `reps` runs after one warm-up */
function timeIt(fn: () => unknown, reps: number): { wall: number; cpu: number } {
  fn(); // warm-up (JIT)
  const ts: number[] = [];
  const cs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1000);
  }
  return { wall: median(ts), cpu: median(cs) };
}

function writeCsv(file: string, cols: Record<string, ArrayLike<number>>) {
  const names = Object.keys(cols);
  const n = cols[names[0]].length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => cols[k][i]).join(','));
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

function haveR(): boolean {
  const r = spawnSync('Rscript', ['-e', 'suppressMessages(library(survival)); cat("ok")'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('ok');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stats-'));
const cox = makeData(100_000, 10, 42);
const big = makeData(1_000_000, 0, 7);
const bigGroup = new Float64Array(big.time.length);
{
  const rnd = mulberry32(99);
  for (let i = 0; i < bigGroup.length; i++) bigGroup[i] = rnd() < 0.5 ? 1 : 2;
}

console.log(`node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}; median of ${REPS} runs (after 1 warm-up)`);
const covArrays: Record<string, Float64Array> = cox.cov;
const coxFit = coxPH({ time: cox.time, event: cox.event, covariates: covArrays, ties: 'efron' });
const ts = {
  cox: timeIt(() => coxPH({ time: cox.time, event: cox.event, covariates: covArrays, ties: 'efron' }), REPS),
  km: timeIt(() => kaplanMeier({ time: big.time, event: big.event }), REPS),
  logrank: timeIt(() => logRank({ time: big.time, event: big.event, group: bigGroup }), REPS),
};
console.log(`TS  coxPH n=100k p=10 efron: ${ts.cox.wall.toFixed(1)} ms wall, ${ts.cox.cpu.toFixed(1)} ms CPU (iter ${coxFit.iterations}, loglik ${coxFit.logLik.toFixed(6)}, C ${coxFit.concordance.toFixed(6)})`);
console.log(`TS  kaplanMeier n=1M:        ${ts.km.wall.toFixed(1)} ms wall, ${ts.km.cpu.toFixed(1)} ms CPU`);
console.log(`TS  logRank n=1M, 2 groups:  ${ts.logrank.wall.toFixed(1)} ms wall, ${ts.logrank.cpu.toFixed(1)} ms CPU`);
console.log(`load average: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);

if (!haveR()) {
  console.log('Rscript with survival not found: R comparison skipped (apt-get install r-base-core r-cran-survival).');
} else {
  const coxCsv = path.join(tmp, 'cox.csv');
  const bigCsv = path.join(tmp, 'big.csv');
  writeCsv(coxCsv, { time: cox.time, event: cox.event, ...cox.cov });
  writeCsv(bigCsv, { time: big.time, event: big.event, group: bigGroup });
  const rScript = `
suppressMessages(library(survival))
args <- commandArgs(TRUE); reps <- as.integer(args[3])
cx <- read.csv(args[1]); bg <- read.csv(args[2])
tm <- function(expr) {
  f <- function() { st <- system.time(eval(expr)); c(st[["elapsed"]], st[["user.self"]] + st[["sys.self"]]) }
  f(); r <- replicate(reps, f()); c(median(r[1, ]), median(r[2, ])) * 1000
}
fml <- as.formula(paste("Surv(time, event) ~", paste(paste0("x", 1:10), collapse = " + ")))
fit <- coxph(fml, data = cx, ties = "efron")
t_cox <- tm(quote(coxph(fml, data = cx, ties = "efron")))
t_km <- tm(quote(survfit(Surv(time, event) ~ 1, data = bg)))
t_lr <- tm(quote(survdiff(Surv(time, event) ~ group, data = bg)))
cat(sprintf("RESULT %.3f %.3f %.3f %d %.10f %.10f %.3f %.3f %.3f\\n", t_cox[1], t_km[1], t_lr[1], fit$iter, fit$loglik[2], fit$concordance[["concordance"]], t_cox[2], t_km[2], t_lr[2]))
`;
  const rFile = path.join(tmp, 'bench.R');
  fs.writeFileSync(rFile, rScript);
  const out = execFileSync('Rscript', [rFile, coxCsv, bigCsv, String(REPS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = out.split('\n').find((l) => l.startsWith('RESULT'));
  if (!line) throw new Error('R benchmark produced no result:\n' + out);
  const [rc, rk, rl, rIter, rLL, rC, rcC, rkC, rlC] = line.split(' ').slice(1).map(Number);
  const rv = execFileSync('Rscript', ['-e', 'cat(R.version.string, "survival", as.character(packageVersion("survival")))'], { encoding: 'utf8' });
  console.log(`R   ${rv.trim()}`);
  console.log(`R   coxph: ${rc.toFixed(1)} ms wall, ${rcC.toFixed(1)} ms CPU (iter ${rIter}, loglik ${rLL.toFixed(6)}, C ${rC.toFixed(6)})`);
  console.log(`R   survfit: ${rk.toFixed(1)} ms wall, survdiff: ${rl.toFixed(1)} ms wall`);
  console.log('');
  console.log('fit (median ms)            TS wall    R wall  ratio |  TS CPU    R CPU  ratio');
  const row = (name: string, a: { wall: number; cpu: number }, b: number, bc: number) =>
    console.log(
      `${name.padEnd(26)} ${a.wall.toFixed(1).padStart(8)} ${b.toFixed(1).padStart(9)} ${(a.wall / b).toFixed(2).padStart(6)} | ${a.cpu.toFixed(1).padStart(7)} ${bc.toFixed(1).padStart(8)} ${(a.cpu / bc).toFixed(2).padStart(6)}`,
    );
  row('coxPH n=100k p=10 efron', ts.cox, rc, rcC);
  row('kaplanMeier n=1M', ts.km, rk, rkC);
  row('logRank n=1M', ts.logrank, rl, rlC);
  console.log(`Bar: Cox ≤ 1.5× R (wall) → ${ts.cox.wall / rc <= 1.5 ? 'PASS' : 'FAIL'} (${(ts.cox.wall / rc).toFixed(2)}×)`);
  console.log(`Agreement on the bench fit: |Δloglik| = ${Math.abs(coxFit.logLik - rLL).toExponential(2)}, iterations TS ${coxFit.iterations} / R ${rIter}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
