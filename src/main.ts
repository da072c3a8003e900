import { loadConfig } from './config/config.loader';
import { startService } from './service';

/** `node dist/src/main.js [--role=api|worker|all]`: one process of the service. */
async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startService(config);
  if (service.url) process.stdout.write(`tingfeng ${config.role} listening on ${service.url}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`tingfeng could not start: ${error.message}\n`);
  process.exit(1);
});
