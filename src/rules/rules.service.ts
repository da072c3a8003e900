import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { KeywordRuleDefinition, KeywordRuleError, matchKeywordRule, TermHit, validateKeywordRule } from './keyword-rule';
import { Rule, WARNING_LEVELS, WarningLevel } from './rule.entity';

export interface RuleInput {
  code: string;
  name: string;
  level: WarningLevel;
  category?: string | null;
  definition: unknown;
  enabled?: boolean;
}

export interface RuleHit {
  rule: Rule;
  hits: TermHit[];
}

interface CompiledRule {
  rule: Rule;
  definition: KeywordRuleDefinition;
}

const RULES_TTL_MS = 15_000;

@Injectable()
export class RulesService {
  private compiled?: { rules: CompiledRule[]; loadedAt: number };

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private async active(): Promise<CompiledRule[]> {
    if (this.compiled && Date.now() - this.compiled.loadedAt < RULES_TTL_MS) return this.compiled.rules;
    const rules = await this.db.getRepository(Rule).find({ where: { enabled: true }, order: { id: 'ASC' } });
    const compiled = rules.map((rule) => ({ rule, definition: validateKeywordRule(rule.definition) }));
    this.compiled = { rules: compiled, loadedAt: Date.now() };
    return compiled;
  }

  /** Every term the active rules look for (to teach the segmenter). */
  async terms(): Promise<string[]> {
    return (await this.active()).flatMap(({ definition }) => [...definition.all.flat(), ...(definition.none ?? [])]);
  }

  /** The enabled rules that fire on normalised text, with their evidence. */
  async evaluate(text: string): Promise<RuleHit[]> {
    const out: RuleHit[] = [];
    for (const { rule, definition } of await this.active()) {
      const match = matchKeywordRule(definition, text);
      if (match.matched) out.push({ rule, hits: match.hits });
    }
    return out;
  }

  async list(): Promise<Rule[]> {
    return this.db.getRepository(Rule).find({ order: { id: 'ASC' } });
  }

  /** Creates a rule or updates it by code; a changed definition gets a new version. */
  async upsert(input: RuleInput): Promise<Rule> {
    if (!WARNING_LEVELS.includes(input.level)) {
      throw new AppError('invalid_request', `Rule ${input.code}: level must be one of ${WARNING_LEVELS.join(', ')}`, { field: 'level' });
    }
    let definition: KeywordRuleDefinition;
    try {
      definition = validateKeywordRule(input.definition);
    } catch (error) {
      if (error instanceof KeywordRuleError) throw new AppError('invalid_request', `Rule ${input.code}: ${error.message}`, { field: error.field });
      throw error;
    }
    const repo = this.db.getRepository(Rule);
    const existing = await repo.findOneBy({ code: input.code });
    const changed = existing && JSON.stringify(existing.definition) !== JSON.stringify(definition);
    const saved = await repo.save({
      ...(existing ?? { kind: 'keyword' as const, version: 1 }),
      code: input.code,
      name: input.name,
      level: input.level,
      category: input.category ?? null,
      definition: definition as unknown as Record<string, unknown>,
      enabled: input.enabled ?? true,
      version: changed ? existing.version + 1 : (existing?.version ?? 1),
    });
    this.compiled = undefined;
    return saved;
  }
}
