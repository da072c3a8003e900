import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { loadConfig } from '../../config/config.loader';
import { AdminService } from '../admin.service';
import { CsvImportError } from '../csv-import';
import { USER_ROLES, UserRole } from '../user.entity';
import { AdminCliModule } from './admin-cli.module';

const USAGE = `Usage: npm run admin -- <command> [options]

  user:create --username NAME --role ROLE --scope CODE[,CODE] --name DISPLAY_NAME
      creates a user and prints a generated password once (roles: ${USER_ROLES.join(', ')})
  user:reset-password --username NAME
      sets a new generated password, prints it once, and ends the user's sessions
  import:areas FILE.csv     columns code,name,level,parent_code,aliases (aliases separated by |)
  import:users FILE.csv     columns username,display_name,role,scope (area codes separated by |);
                            prints the generated passwords of new users as CSV
Every import is all-or-nothing: a bad row is reported with its row number and nothing is written.`;

/** Runs one admin command; returns what to print. Exported for tests. */
export async function runAdminCommand(service: AdminService, argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { username: { type: 'string' }, role: { type: 'string' }, scope: { type: 'string' }, name: { type: 'string' } },
  });
  const [command, file] = positionals;
  const need = (value: string | undefined, flag: string) => {
    if (!value) throw new AppError('invalid_request', `${command} needs --${flag}\n\n${USAGE}`);
    return value;
  };
  switch (command) {
    case 'user:create': {
      const issued = await service.createUser({
        username: need(values.username, 'username'),
        role: need(values.role, 'role') as UserRole,
        scope: need(values.scope, 'scope').split(','),
        displayName: need(values.name, 'name'),
      });
      return `Created ${issued.username}. Initial password (shown once): ${issued.password}`;
    }
    case 'user:reset-password': {
      const issued = await service.resetPassword(need(values.username, 'username'));
      return `New password for ${issued.username} (shown once; all sessions ended): ${issued.password}`;
    }
    case 'import:areas':
      return `Imported ${await service.importAreasCsv(readFileSync(need(file, 'FILE.csv argument'), 'utf8'))} areas.`;
    case 'import:users': {
      const { created, updated } = await service.importUsersCsv(readFileSync(need(file, 'FILE.csv argument'), 'utf8'));
      return [`Created ${created.length} users, updated ${updated}.`, ...(created.length ? ['username,initial_password', ...created.map((c) => `${c.username},${c.password}`)] : [])].join('\n');
    }
    default:
      throw new AppError('invalid_request', USAGE);
  }
}

async function main(): Promise<void> {
  const config = loadConfig({ role: 'api', auth: { secret: 'the-admin-command-signs-no-tokens-0000' } });
  const app = await NestFactory.createApplicationContext(AdminCliModule.forRoot(config), { logger: ['error'], abortOnError: false });
  try {
    process.stdout.write(`${await runAdminCommand(app.get(AdminService), process.argv.slice(2))}\n`);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error instanceof CsvImportError || error instanceof AppError ? error.message : `admin command failed: ${error.message}`}\n`);
    process.exit(1);
  });
}
