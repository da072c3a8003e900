import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { adminQuery, dbUrl, REDIS_URL, templateDb } from '../support/postgres';
import { alive, childPids } from '../support/process-alive';
import { buildService, freePort, serviceProcesses, ServiceProcesses } from '../support/service-process';
import { deleteRedisKeys, eventually } from '../support/test-env';

const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

/**
 * `processes: 2` (TINGFENG_PROCESSES): one supervisor and two copies of the API sharing the port.
 * Both copies serve; a copy killed with SIGKILL is replaced while the other keeps answering; SIGTERM
 * ends the copies and the supervisor; a copy that cannot start ends the supervisor with an error.
 */
describe('API in several processes (processes setting)', () => {
  const prefix = `tfprocs-${randomBytes(4).toString('hex')}`;
  const database = `tingfeng_procs_${randomBytes(4).toString('hex')}`;
  let procs: ServiceProcesses;

  beforeAll(async () => {
    const [build] = await Promise.all([buildService(), adminQuery(`CREATE DATABASE ${database} TEMPLATE ${templateDb()}`)]);
    procs = serviceProcesses(build, { databaseUrl: dbUrl(database), redisUrl: REDIS_URL, queue: { prefix } });
  }, 300_000);

  afterAll(async () => {
    await procs?.stopAll();
    await deleteRedisKeys(`${prefix}:*`);
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('serves from two copies, replaces one that is killed, and stops on SIGTERM', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const supervisor = await procs.start('api', { PORT: String(port), TINGFENG_PROCESSES: '2' });
    const pid = supervisor.child.pid!;
    await eventually(async () => childPids(pid).length === 2, 30_000, 'two copies');
    const copies = childPids(pid);
    // Each copy gets its share of new connections (the supervisor deals them out in turn).
    const before = copies.map(cpuTicks);
    for (let i = 0; i < 300; i++) {
      const res = await fetch(`${url}/health/ready`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
    }
    const used = copies.map((p, i) => cpuTicks(p) - before[i]);
    expect(used.every((ticks) => ticks > 0)).toBe(true);

    // SIGKILL one copy: the other answers meanwhile, a new copy takes its place.
    process.kill(copies[0], 'SIGKILL');
    await eventually(async () => !alive(copies[0]), 10_000, 'the killed copy gone');
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    const replaced = await eventually(async () => {
      const now = childPids(pid);
      return now.length === 2 && !now.includes(copies[0]) && now;
    }, 30_000, 'a replacement copy');
    expect(replaced).toContain(copies[1]);
    // The replacement serves too.
    const replacement = replaced.find((p) => p !== copies[1])!;
    await eventually(async () => {
      const ticks = cpuTicks(replacement);
      for (let i = 0; i < 20; i++) await fetch(`${url}/health/ready`, { headers: { connection: 'close' } });
      return cpuTicks(replacement) > ticks;
    }, 30_000, 'the replacement serving');

    const running = childPids(pid);
    supervisor.child.kill('SIGTERM');
    expect(await supervisor.exited).toBe(0);
    for (const copy of running) expect(alive(copy)).toBe(false);
  }, 120_000);

  it('ends with an error when the copies cannot start (the port is taken)', async () => {
    const port = await freePort();
    // Something else answers on the port (503 to the start-up probe), so the copies cannot listen.
    const squatter: Server = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((r) => squatter.listen(port, '0.0.0.0', r));
    try {
      await expect(procs.start('api', { PORT: String(port), TINGFENG_PROCESSES: '2' })).rejects.toThrow(/exited during start-up/);
      const failed = procs.started[procs.started.length - 1];
      expect(await failed.exited).toBe(1);
      expect(failed.stderr()).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 60_000);
});
