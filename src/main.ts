import cluster from 'node:cluster';
import { loadConfig } from './config/config.loader';
import { reportReady, superviseCopies } from './process-copies';

/** `node dist/src/main.js [--role=api|worker|all]`: one process of the service, or `processes` copies of it. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.processes > 1 && cluster.isPrimary) {
    superviseCopies(config.processes, (line) => process.stdout.write(`tingfeng ${config.role}: ${line}\n`));
    return;
  }
  // Loaded here, not at the top: a supervisor never starts the service and keeps its memory small.
  const { startService } = await import('./service');
  const service = await startService(config);
  if (cluster.isWorker) reportReady(service.url, () => service.close());
  else if (service.url) process.stdout.write(`tingfeng ${config.role} listening on ${service.url}\n`);
  else if (service.probeUrl) process.stdout.write(`tingfeng ${config.role} probes on ${service.probeUrl}/health/live and /health/ready\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`tingfeng could not start: ${error.message}\n`);
  process.exit(1);
});
