import { INestApplicationContext } from '@nestjs/common';
import { AreasService } from '../../src/areas/areas.service';
import { UsersService } from '../../src/auth/users.service';
import { DEMO_PASSWORD, readDemoDistrict } from '../../src/demo/demo-seed';
import { DEMO_POSTS } from '../../src/demo/demo-posts';
import { RulesService } from '../../src/rules/rules.service';

/**
 * The demo district (area tree, one worker per community, supervisors, rules) without the demo's
 * forum sources, for fault tests that bring their own sources. Returns the root area's id.
 */
export async function seedFaultDistrict(app: INestApplicationContext): Promise<number> {
  const district = readDemoDistrict();
  const areas = app.get(AreasService);
  await areas.importTree(district.areas);
  for (const user of district.users) await app.get(UsersService).upsert({ ...user, password: DEMO_PASSWORD });
  for (const rule of district.rules) await app.get(RulesService).upsert(rule);
  return (await areas.byCode(district.areas.code)).id;
}

/**
 * `count` distinct posts made from the demo posts (written for this project): post i is demo post
 * i mod n with a numbered title and a closing line, so posts of one dispute are near-duplicates of
 * one place and group into one case, while chatter raises none.
 */
export function faultPosts(count: number, tag = ''): { id: string; title: string; body: string; author: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const p = DEMO_POSTS[i % DEMO_POSTS.length];
    return { id: `${tag}${i + 1}`, title: `${p.title}（${tag}${i + 1}）`, body: `${p.body}\n补充第${i + 1}条。`, author: p.author };
  });
}
