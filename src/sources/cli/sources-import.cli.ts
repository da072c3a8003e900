import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config/config.loader';
import { SourcesService } from '../sources.service';
import { SourcesCliModule } from './sources-cli.module';
import { parseSourcesYaml } from './sources-import';

/** Imports (creates or updates by code) every source of the file; all entries are validated first. Exported for tests. */
export async function importSources(service: SourcesService, file: string): Promise<string> {
  const inputs = parseSourcesYaml(readFileSync(file, 'utf8'));
  const lines: string[] = [];
  for (const input of inputs) {
    const saved = await service.upsert(input);
    lines.push(`  ${saved.code} (${saved.kind}) → source ${saved.id}`);
  }
  return [`Imported ${inputs.length} sources from ${file}:`, ...lines].join('\n');
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('Usage: npm run sources:import -- config/sources.yaml');
  const config = loadConfig({ role: 'api', auth: { secret: 'the-import-command-signs-no-tokens-000' } });
  const app = await NestFactory.createApplicationContext(SourcesCliModule.forRoot(config), { logger: ['error'], abortOnError: false });
  try {
    process.stdout.write(`${await importSources(app.get(SourcesService), file)}\n`);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
