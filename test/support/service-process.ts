/**
 * The service as a real child process for fault tests: the sources compiled once per test run (shared
 * by every test file of the run, guarded by a directory lock), then `node <build>/src/main.js
 * --role=<role>` started with a YAML settings file of the test's own (TINGFENG_CONFIG), so a test can
 * kill it with SIGKILL and start it again.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AddressInfo, createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { Queue } from 'bullmq';
import { dump } from 'js-yaml';
import ts from 'typescript';
import { projectRoot } from '../../src/config/config.loader';
import { QueueName } from '../../src/queues/queue-names';
import { redisOptions } from '../../src/queues/redis-options';
import { templateDb } from './postgres';
import { alive } from './process-alive';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Transpiles every file of src/ and migrations/ (tests excluded) into `outDir`, one file at a time
 * with the options of tsconfig.build.json: what `tsc` emits, without the type check (the project is
 * `isolatedModules`, and ts-jest runs it the same way). Seconds instead of a minute of `tsc` on a busy
 * machine; type errors are `npx tsc --noEmit`'s business.
 */
function transpileProject(outDir: string): void {
  const root = projectRoot();
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  const compilerOptions: ts.CompilerOptions = { ...parsed.options, sourceMap: false, inlineSourceMap: false, incremental: false, declaration: false, noEmit: false };
  for (const file of parsed.fileNames) {
    const out = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
}

/**
 * Builds src/ and migrations/ (transpileProject) into a folder under the system temp directory named
 * after this test run's template database, once per run (every fault test file of the run shares
 * it); returns that folder (it holds src/main.js). Builds of earlier runs whose Jest process is gone
 * are removed.
 */
export async function buildService(): Promise<string> {
  const base = 'tingfeng-faults-build-';
  for (const entry of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${base}\\D*(\\d+)`).exec(entry)?.[1]);
    if (pid && pid !== process.ppid && !alive(pid)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
  const dir = join(tmpdir(), `${base}${templateDb()}`);
  const done = join(dir, 'BUILD_DONE');
  const lock = `${dir}.lock`;
  let owner = false;
  try {
    mkdirSync(lock);
    owner = true;
  } catch {
    // another test file of this run is building
  }
  if (owner) {
    try {
      transpileProject(dir);
      if (!existsSync(join(dir, 'src', 'main.js'))) throw new Error(`build failed: no src/main.js in ${dir}`);
      writeFileSync(done, new Date().toISOString());
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return dir;
  }
  const deadline = Date.now() + 240_000;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`the build in ${dir} did not finish within 240 s`);
    if (!existsSync(lock) && !existsSync(done)) return buildService();
    await sleep(250);
  }
  return dir;
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals>;
  /** What the process wrote to stderr (the last 64 KiB). */
  stderr(): string;
}

export interface ServiceProcesses {
  configFile: string;
  /** Every process started so far (dead or alive). */
  started: ServiceProcess[];
  /**
   * Starts `node main.js --role=<role>`; returns once a worker consumes the analyze queue and, when
   * `extraEnv.PORT` is given, the API answers on that port.
   */
  start(role: 'worker' | 'api' | 'all', extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  /** Sends the signal and waits for the process to end. */
  kill(proc: ServiceProcess, signal?: NodeJS.Signals): Promise<void>;
  /** Consumers registered on the analyze queue right now. */
  analyzeConsumers(): Promise<number>;
  /** Ends every process still running (SIGTERM, then SIGKILL after 10 s) and removes the settings file. */
  stopAll(): Promise<void>;
}

/**
 * Child processes of the build in `buildDir` sharing `settings` (merged into config/default.yaml
 * through TINGFENG_CONFIG; connection settings included, so the environment of this process does not
 * leak into them).
 */
export function serviceProcesses(buildDir: string, settings: Record<string, unknown> & { redisUrl: string; queue: { prefix: string } & Record<string, unknown> }): ServiceProcesses {
  const dir = mkdtempSync(join(tmpdir(), 'tingfeng-faults-config-'));
  const configFile = join(dir, 'settings.yaml');
  writeFileSync(configFile, dump({ logLevel: 'warn', ...settings, port: 0 }));
  const started: ServiceProcess[] = [];
  const authSecret = randomBytes(32).toString('hex');
  const queue = new Queue(QueueName.Analyze, { connection: redisOptions(settings.redisUrl), prefix: settings.queue.prefix });
  queue.on('error', () => undefined);
  const analyzeConsumers = () => queue.getWorkersCount();
  const spawnOne = (role: string, extraEnv: Record<string, string>): ServiceProcess => {
    const env: NodeJS.ProcessEnv = { ...process.env, TINGFENG_CONFIG: configFile, AUTH_SECRET: authSecret, ...extraEnv };
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'LOG_LEVEL', 'TINGFENG_ROLE', 'QUEUE_PREFIX']) if (!(key in extraEnv)) delete env[key];
    // The build lives outside the project: its requires resolve through the project's node_modules.
    env.NODE_PATH = [join(projectRoot(), 'node_modules'), env.NODE_PATH].filter(Boolean).join(':');
    const child = spawn(process.execPath, [join(buildDir, 'src', 'main.js'), `--role=${role}`], { cwd: projectRoot(), env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-65_536)));
    const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? 0)));
    const proc = { child, exited, stderr: () => err };
    started.push(proc);
    return proc;
  };
  return {
    configFile,
    started,
    analyzeConsumers,
    async start(role, extraEnv = {}) {
      const before = role === 'api' ? 0 : await analyzeConsumers();
      const proc = spawnOne(role, extraEnv);
      const deadline = Date.now() + 60_000;
      const listening = async () => !extraEnv.PORT || (await fetch(`http://127.0.0.1:${extraEnv.PORT}/health/live`).then((r) => r.ok, () => false));
      const consuming = async () => role === 'api' || (await analyzeConsumers()) > before;
      while (Date.now() < deadline) {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`the ${role} process exited during start-up: ${proc.stderr()}`);
        if ((await consuming()) && (await listening())) return proc;
        await sleep(100);
      }
      throw new Error(`the ${role} process did not start within 60 s: ${proc.stderr()}`);
    },
    async kill(proc, signal = 'SIGKILL') {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
      await proc.exited;
    },
    async stopAll() {
      await Promise.all(
        started.map(async (p) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return;
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
          await p.exited;
          clearTimeout(timer);
        }),
      );
      await queue.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
