import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { load } from 'js-yaml';
import { AreaNodeInput, AreasService } from '../areas/areas.service';
import type { UserRole } from '../auth/user.entity';
import { UsersService } from '../auth/users.service';
import { projectRoot } from '../config/config.loader';
import { RuleInput, RulesService } from '../rules/rules.service';
import { SourcesService } from '../sources/sources.service';
import { demoForumSources } from './demo-forum.server';

/** Every demo account has this password (demo data only; the README lists the accounts). */
export const DEMO_PASSWORD = 'tingfeng-demo';

export interface DemoDistrict {
  areas: AreaNodeInput;
  users: { username: string; displayName: string; role: UserRole; scope: string[] }[];
  rules: RuleInput[];
}

export function readDemoDistrict(path = join(projectRoot(), 'config', 'demo', 'jiangdong.yaml')): DemoDistrict {
  return load(readFileSync(path, 'utf8')) as DemoDistrict;
}

/**
 * Seeds the demo district into a running service: area tree with aliases, one worker per community,
 * one supervisor per street, the official, operator and admin, the warning rules, and the two demo
 * forum sources. Idempotent: running it again updates instead of duplicating.
 */
export async function seedDemo(app: INestApplicationContext, forumUrl: string, opts: { crawlIntervalSeconds?: number } = {}) {
  const district = readDemoDistrict();
  const areas = app.get(AreasService);
  await areas.importTree(district.areas);
  for (const user of district.users) await app.get(UsersService).upsert({ ...user, password: DEMO_PASSWORD });
  for (const rule of district.rules) await app.get(RulesService).upsert(rule);
  const root = await areas.byCode(district.areas.code);
  const sources = demoForumSources(forumUrl);
  const interval = opts.crawlIntervalSeconds ?? 10;
  const sourcesService = app.get(SourcesService);
  const html = await sourcesService.upsert({
    code: 'demo-forum-neighbourhood',
    name: '江东邻里论坛·邻里家常',
    kind: 'html',
    url: sources.html.url,
    config: sources.html.config as unknown as Record<string, unknown>,
    intervalSeconds: interval,
    defaultAreaId: root.id,
  });
  const rss = await sourcesService.upsert({
    code: 'demo-forum-hotline',
    name: '江东邻里论坛·民生热线 (RSS)',
    kind: 'rss',
    url: sources.rss.url,
    intervalSeconds: interval,
    defaultAreaId: root.id,
  });
  return { district, sources: [html, rss] };
}
