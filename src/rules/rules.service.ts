import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { TermHit } from './keyword-rule';
import { compileRuleDefinition, RuleDefinitionError } from './rule-definition';
import { expressionTerms, RuleExpr } from './rule-expression';
import { RuleSet } from './rule-set';
import { RuleVersion } from './rule-version.entity';
import { Rule, RULE_KINDS, RULE_ROLES, RuleKind, RuleRole, WARNING_LEVELS, WarningLevel } from './rule.entity';

export interface RuleInput {
  code: string;
  name: string;
  level: WarningLevel;
  category?: string | null;
  kind?: RuleKind;
  role?: RuleRole;
  definition: unknown;
  enabled?: boolean;
}

export interface RuleHit {
  rule: Rule;
  hits: TermHit[];
}

export interface ActiveRules {
  rules: Map<number, Rule>;
  /** Every enabled rule (warnings and suppressions) behind one term index; keys are rule ids. */
  set: RuleSet<number>;
  terms: string[];
}

const RULES_TTL_MS = 15_000;

/** Compiles rules into a RuleSet (skipping, never failing on, a stored definition that no longer parses). */
export function compileRules(rules: readonly Rule[]): ActiveRules {
  const entries: { key: number; expr: RuleExpr }[] = [];
  for (const rule of rules) {
    try {
      entries.push({ key: rule.id, expr: compileRuleDefinition(rule.kind, rule.definition).expr });
    } catch {
      // validated on write; an unreadable row is left out rather than stopping analysis
    }
  }
  const set = new RuleSet(entries);
  return { rules: new Map(rules.map((r) => [r.id, r])), set, terms: [...new Set(entries.flatMap((e) => expressionTerms(e.expr)))] };
}

@Injectable()
export class RulesService {
  private compiled?: { active: ActiveRules; loadedAt: number };

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The enabled rules compiled behind one term index, cached per process for a few seconds. */
  async active(): Promise<ActiveRules> {
    if (this.compiled && Date.now() - this.compiled.loadedAt < RULES_TTL_MS) return this.compiled.active;
    const rules = await this.db.getRepository(Rule).find({ where: { enabled: true }, order: { id: 'ASC' } });
    const active = compileRules(rules);
    this.compiled = { active, loadedAt: Date.now() };
    return active;
  }

  /** Every term the active rules look for (to teach the segmenter). */
  async terms(): Promise<string[]> {
    return (await this.active()).terms;
  }

  /** The enabled rules that fire on normalised text (no title split, no conditions), with their evidence. */
  async evaluate(text: string): Promise<RuleHit[]> {
    const { set, rules } = await this.active();
    return set
      .match({ text, titleLength: 0, tokenStarts: () => [] })
      .map((m) => ({ rule: rules.get(m.key)!, hits: m.hits }))
      .filter((h) => h.rule.role === 'warning');
  }

  /** Counts hits of fired and suppressing rules. */
  async recordHits(ruleIds: number[], manager: EntityManager = this.db.manager): Promise<void> {
    if (ruleIds.length === 0) return;
    await manager.query(`UPDATE rules SET hit_count = hit_count + 1, last_hit_at = now() WHERE id = ANY($1)`, [ruleIds]);
  }

  async list(): Promise<Rule[]> {
    return this.db.getRepository(Rule).find({ order: { id: 'ASC' } });
  }

  async get(id: number): Promise<Rule> {
    const rule = await this.db.getRepository(Rule).findOneBy({ id });
    if (!rule) throw notFound('Rule', id);
    return rule;
  }

  async versions(id: number): Promise<RuleVersion[]> {
    await this.get(id);
    return this.db.getRepository(RuleVersion).find({ where: { ruleId: id }, order: { version: 'ASC' } });
  }

  /** Validates a rule input; returns the normalised definition. Throws invalid_request naming the field. */
  validate(input: RuleInput): { kind: RuleKind; role: RuleRole; definition: Record<string, unknown> } {
    const fail = (field: string, message: string, details: Record<string, unknown> = {}): never => {
      throw new AppError('invalid_request', `Rule ${input.code}: ${message}`, { field, ...details });
    };
    if (typeof input.code !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(input.code)) fail('code', 'code must be lower-case letters, digits and dashes');
    if (typeof input.name !== 'string' || !input.name.trim()) fail('name', 'name must be a non-empty string');
    if (!WARNING_LEVELS.includes(input.level)) fail('level', `level must be one of ${WARNING_LEVELS.join(', ')}`);
    const kind = input.kind ?? 'keyword';
    if (!RULE_KINDS.includes(kind)) fail('kind', `kind must be one of ${RULE_KINDS.join(', ')}`);
    const role = input.role ?? 'warning';
    if (!RULE_ROLES.includes(role)) fail('role', `role must be one of ${RULE_ROLES.join(', ')}`);
    try {
      const { definition } = compileRuleDefinition(kind, input.definition);
      return { kind, role, definition: definition as unknown as Record<string, unknown> };
    } catch (error) {
      if (error instanceof RuleDefinitionError) return fail(error.field, error.message, error.details);
      throw error;
    }
  }

  /** Creates a rule or updates it by code; a changed definition, level, kind or role gets a new version, recorded in rule_versions. */
  async upsert(input: RuleInput, actorId: number | null = null): Promise<Rule> {
    const { kind, role, definition } = this.validate(input);
    const saved = await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(Rule);
      const existing = await repo.findOne({ where: { code: input.code }, lock: { mode: 'pessimistic_write' } });
      const category = input.category ?? null;
      const changed =
        !!existing &&
        (JSON.stringify(existing.definition) !== JSON.stringify(definition) ||
          existing.kind !== kind ||
          existing.role !== role ||
          existing.level !== input.level ||
          existing.category !== category);
      const rule = await repo.save({
        ...(existing ?? { version: 1 }),
        code: input.code,
        name: input.name,
        kind,
        role,
        level: input.level,
        category,
        definition,
        enabled: input.enabled ?? existing?.enabled ?? true,
        version: changed ? existing.version + 1 : (existing?.version ?? 1),
      } as Rule);
      if (!existing || changed) {
        await tx
          .createQueryBuilder()
          .insert()
          .into(RuleVersion)
          .values({ ruleId: rule.id, version: rule.version, name: rule.name, kind, role, definition: definition as never, level: rule.level, category, createdBy: actorId })
          .orIgnore()
          .execute();
      }
      return rule;
    });
    this.compiled = undefined;
    return saved;
  }

  async setEnabled(id: number, enabled: boolean): Promise<Rule> {
    const rule = await this.get(id);
    rule.enabled = enabled;
    const saved = await this.db.getRepository(Rule).save(rule);
    this.compiled = undefined;
    return saved;
  }

  /** Removes a rule that never opened a case; one with cases is disabled instead (cases keep their rule). */
  async remove(id: number): Promise<{ deleted: boolean; disabled: boolean }> {
    await this.get(id);
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM cases WHERE rule_id = $1`, [id]);
    this.compiled = undefined;
    if (n > 0) {
      await this.db.getRepository(Rule).update({ id }, { enabled: false });
      return { deleted: false, disabled: true };
    }
    await this.db.getRepository(Rule).delete({ id });
    return { deleted: true, disabled: false };
  }
}
