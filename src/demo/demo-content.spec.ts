import { readFileSync } from 'fs';
import { join } from 'path';
import { load } from 'js-yaml';
import { normalizeText } from '../analysis/text-normalizer';
import { KeywordRuleDefinition, matchKeywordRule, validateKeywordRule } from '../rules/keyword-rule';
import { DEMO_POSTS } from './demo-posts';
import type { DemoPost } from './demo-post.types';

interface AreaNode {
  code: string;
  name: string;
  level: 'district' | 'street' | 'community';
  aliases?: string[];
  children?: AreaNode[];
}

interface DemoUser {
  username: string;
  displayName: string;
  role: 'worker' | 'supervisor' | 'official' | 'operator' | 'admin';
  scope: string[];
}

interface DemoRule {
  code: string;
  name: string;
  level: 'blue' | 'yellow' | 'orange' | 'red';
  category: string;
  definition: unknown;
}

interface DemoConfig {
  areas: AreaNode;
  users: DemoUser[];
  rules: DemoRule[];
}

const config = load(readFileSync(join(__dirname, '../../config/demo/jiangdong.yaml'), 'utf8')) as DemoConfig;

function flatten(node: AreaNode, parent?: AreaNode): Array<{ node: AreaNode; parent?: AreaNode }> {
  return [{ node, parent }, ...(node.children ?? []).flatMap((child) => flatten(child, node))];
}

const areas = flatten(config.areas);
const byLevel = (level: AreaNode['level']) => areas.filter(({ node }) => node.level === level).map(({ node }) => node);
const streets = byLevel('street');
const communities = byLevel('community');
const aliasOwners = areas.flatMap(({ node }) => (node.aliases ?? []).map((alias) => ({ alias, code: node.code })));
const communityAliases = communities.flatMap((c) => c.aliases ?? []);

const rules = config.rules.map((rule) => ({ ...rule, compiled: validateKeywordRule(rule.definition) }));

const TOPIC_RULE: Record<Exclude<DemoPost['topic'], 'chatter'>, string> = {
  'property-fee': 'property-fee',
  noise: 'noise',
  'illegal-building': 'illegal-building',
  parking: 'parking',
  garbage: 'garbage',
  demolition: 'demolition',
  'unpaid-wages': 'unpaid-wages',
};

const CATEGORIES = ['物业纠纷', '噪音扰民', '违章搭建', '停车', '垃圾清运', '拆迁补偿', '欠薪', '群体性事件'];

function firedRules(post: DemoPost): string[] {
  const text = normalizeText(`${post.title}\n${post.body}`);
  return rules.filter((rule) => matchKeywordRule(rule.compiled, text).matched).map((rule) => rule.code);
}

const label = (post: DemoPost) => `${post.topic}: ${post.title}`;
const disputes = DEMO_POSTS.filter((post) => post.topic !== 'chatter').map((post) => [label(post), post] as const);
const chatter = DEMO_POSTS.filter((post) => post.topic === 'chatter').map((post) => [label(post), post] as const);
const allPosts = DEMO_POSTS.map((post) => [label(post), post] as const);

describe('demo gazetteer (config/demo/jiangdong.yaml)', () => {
  it('has the district at the root, streets below it and communities below the streets', () => {
    expect(config.areas.level).toBe('district');
    for (const { node, parent } of areas) {
      expect(node.code).toMatch(/^[a-z0-9-]+$/);
      if (node.level === 'street') expect(parent?.level).toBe('district');
      if (node.level === 'community') expect(parent?.level).toBe('street');
    }
    expect(streets.length).toBeGreaterThanOrEqual(4);
    for (const street of streets) {
      expect(street.children?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(street.children?.length ?? 0).toBeLessThanOrEqual(3);
    }
  });

  it('has unique area codes', () => {
    const codes = areas.map(({ node }) => node.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('has unique aliases of at least 2 characters, none contained in another area’s alias', () => {
    const seen = new Map<string, string>();
    for (const { alias, code } of aliasOwners) {
      expect([...alias].length).toBeGreaterThanOrEqual(2);
      expect(seen.get(alias) ?? code).toBe(code);
      seen.set(alias, code);
    }
    expect(seen.size).toBe(aliasOwners.length);
    const clashes = aliasOwners.flatMap((a) =>
      aliasOwners.filter((b) => a.code !== b.code && b.alias.includes(a.alias)).map((b) => `${a.alias} ⊂ ${b.alias}`),
    );
    expect(clashes).toEqual([]);
  });

  it.each(communities.map((c) => [c.code, c] as const))('community %s has 3–6 aliases', (_code, community) => {
    expect(community.aliases?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect(community.aliases?.length ?? 0).toBeLessThanOrEqual(6);
  });
});

describe('demo users', () => {
  const areaCodes = new Set(areas.map(({ node }) => node.code));

  it.each(config.users.map((u) => [u.username, u] as const))('%s is well formed and scoped to existing areas', (_name, user) => {
    expect(user.username).toMatch(/^[a-z0-9-]+$/);
    expect(user.displayName).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
    expect(['worker', 'supervisor', 'official', 'operator', 'admin']).toContain(user.role);
    expect(user.scope.length).toBeGreaterThan(0);
    for (const code of user.scope) expect(areaCodes).toContain(code);
  });

  it('has unique usernames', () => {
    const names = config.users.map((u) => u.username);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has exactly one worker per community, named sg-<community>', () => {
    for (const community of communities) {
      const workers = config.users.filter((u) => u.role === 'worker' && u.scope.includes(community.code));
      expect(workers.map((w) => [w.username, w.scope])).toEqual([[`sg-${community.code}`, [community.code]]]);
    }
    expect(config.users.filter((u) => u.role === 'worker')).toHaveLength(communities.length);
  });

  it('has exactly one supervisor per street, named sup-<street>', () => {
    for (const street of streets) {
      const supervisors = config.users.filter((u) => u.role === 'supervisor' && u.scope.includes(street.code));
      expect(supervisors.map((s) => [s.username, s.scope])).toEqual([[`sup-${street.code}`, [street.code]]]);
    }
    expect(config.users.filter((u) => u.role === 'supervisor')).toHaveLength(streets.length);
  });

  it.each([
    ['official', 'official'],
    ['operator', 'operator'],
    ['admin', 'admin'],
  ])('has one %s (%s) scoped to the district', (role, username) => {
    const users = config.users.filter((u) => u.role === role);
    expect(users.map((u) => [u.username, u.scope])).toEqual([[username, [config.areas.code]]]);
  });
});

describe('demo warning rules', () => {
  it.each(config.rules.map((r) => [r.code, r] as const))('%s validates', (_code, rule) => {
    expect(rule.code).toMatch(/^[a-z0-9-]+$/);
    expect(['blue', 'yellow', 'orange', 'red']).toContain(rule.level);
    expect(CATEGORIES).toContain(rule.category);
    expect(() => validateKeywordRule(rule.definition)).not.toThrow();
    const definition = rule.definition as KeywordRuleDefinition;
    // terms are written in normalised form, so they can match normalised text at all
    for (const term of [...definition.all.flat(), ...(definition.none ?? [])]) expect(normalizeText(term)).toBe(term);
  });

  it('has 7–9 rules with unique codes, one of them red, covering every topic', () => {
    const codes = config.rules.map((r) => r.code);
    expect(codes.length).toBeGreaterThanOrEqual(7);
    expect(codes.length).toBeLessThanOrEqual(9);
    expect(new Set(codes).size).toBe(codes.length);
    expect(config.rules.some((r) => r.level === 'red')).toBe(true);
    for (const code of Object.values(TOPIC_RULE)) expect(codes).toContain(code);
  });
});

describe('demo posts', () => {
  it('has at least 5 posts per dispute topic and at least 20 chatter posts', () => {
    for (const topic of Object.keys(TOPIC_RULE)) {
      expect(DEMO_POSTS.filter((p) => p.topic === topic).length).toBeGreaterThanOrEqual(5);
    }
    expect(chatter.length).toBeGreaterThanOrEqual(20);
  });

  it('uses both boards', () => {
    expect(new Set(DEMO_POSTS.map((p) => p.board))).toEqual(new Set(['neighbourhood', 'hotline']));
  });

  it('has no duplicate titles', () => {
    const titles = DEMO_POSTS.map((p) => p.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it.each(allPosts)('%s has a forum-sized title and body and no phone- or ID-like number', (_label, post) => {
    expect([...post.title].length).toBeGreaterThanOrEqual(8);
    expect([...post.title].length).toBeLessThanOrEqual(30);
    expect([...post.body].length).toBeGreaterThanOrEqual(60);
    expect([...post.body].length).toBeLessThanOrEqual(250);
    expect(post.author.trim()).not.toBe('');
    for (const text of [post.title, post.body, post.author].map(normalizeText)) {
      expect(text).not.toMatch(/\d{11}/);
      expect(text).not.toMatch(/\d{17}[\dx]/);
    }
  });

  it.each(disputes)('%s raises its topic rule', (_label, post) => {
    const fired = firedRules(post);
    expect(fired.length).toBeGreaterThan(0);
    expect(fired).toContain(TOPIC_RULE[post.topic as keyof typeof TOPIC_RULE]);
  });

  it.each(disputes)('%s names a place of a community', (_label, post) => {
    const text = normalizeText(`${post.title}\n${post.body}`);
    expect(communityAliases.filter((alias) => text.includes(alias))).not.toEqual([]);
  });

  it.each(chatter)('%s raises no rule', (_label, post) => {
    expect(firedRules(post)).toEqual([]);
  });

  it('exercises the red escalation rule on a few dispute posts', () => {
    const red = config.rules.filter((r) => r.level === 'red').map((r) => r.code);
    expect(DEMO_POSTS.filter((p) => firedRules(p).some((code) => red.includes(code))).length).toBeGreaterThanOrEqual(2);
  });
});
