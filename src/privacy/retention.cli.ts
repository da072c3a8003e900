import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.loader';
import { ConfigModule } from '../config/config.module';
import { dataSourceOptions } from '../database/data-source';
import { PrivacyModule } from './privacy.module';
import { RetentionService } from './retention.service';

@Module({})
class RetentionCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: RetentionCliModule, imports: [ConfigModule.forRoot(config), TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)), PrivacyModule] };
  }
}

/** `npm run retention -- [--dry-run]`: applies (or, with --dry-run, only counts) the retention rules. */
async function main(): Promise<void> {
  const config = loadConfig({ role: 'api', auth: { secret: 'the-retention-command-signs-no-tokens' } });
  const app = await NestFactory.createApplicationContext(RetentionCliModule.forRoot(config), { logger: ['error'], abortOnError: false });
  try {
    const report = await app.get(RetentionService).run({ dryRun: process.argv.includes('--dry-run') });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`retention failed: ${error.message}\n`);
  process.exit(1);
});
