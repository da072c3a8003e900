import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Put } from '@nestjs/common';
import { AuditSubject, CurrentActor, Roles } from '../auth/auth.decorators';
import type { Actor } from '../auth/actor';
import { AppError } from '../common/app-error';
import { RuleDryRunService } from './rule-dry-run.service';
import { RuleInput, RulesService } from './rules.service';

const RULE_FIELDS = ['code', 'name', 'level', 'category', 'kind', 'role', 'definition', 'enabled'];

function ruleBody(body: unknown, codeFromPath?: string): RuleInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('invalid_request', 'The body must be a JSON object', { field: 'body' });
  const unknown = Object.keys(body).filter((k) => !RULE_FIELDS.includes(k));
  if (unknown.length) throw new AppError('invalid_request', `Unknown fields: ${unknown.join(', ')}`, { fields: Object.fromEntries(unknown.map((f) => [f, ['unknown field']])) });
  const input = body as RuleInput;
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw new AppError('invalid_request', 'enabled must be true or false', { field: 'enabled' });
  if (input.category !== undefined && input.category !== null && typeof input.category !== 'string') throw new AppError('invalid_request', 'category must be a string', { field: 'category' });
  return codeFromPath ? { ...input, code: codeFromPath } : input;
}

/** Warning and suppression rules, for operators: CRUD with validation, versions, validate and dry-run. */
@Controller('rules')
@Roles('operator', 'admin')
export class RulesController {
  constructor(
    private readonly rules: RulesService,
    private readonly dryRuns: RuleDryRunService,
  ) {}

  @Get()
  list() {
    return this.rules.list();
  }

  /** Checks a draft definition: `{ kind, definition }` → `{ valid: true }` or the error with its position. */
  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: { kind?: string; definition?: unknown }) {
    try {
      this.rules.validate({ code: 'draft', name: 'draft', level: 'blue', kind: body?.kind as RuleInput['kind'], definition: body?.definition });
      return { valid: true };
    } catch (error) {
      if (error instanceof AppError) return { valid: false, error: { message: error.message, ...error.details } };
      throw error;
    }
  }

  /** Runs a draft rule over the stored posts of [from, to): hits, cases it would open, precision against workers' verdicts. */
  @Post('dry-run')
  @HttpCode(200)
  dryRun(@Body() body: unknown) {
    return this.dryRuns.run(body);
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.rules.get(id);
  }

  @Get(':id/versions')
  versions(@Param('id', ParseIntPipe) id: number) {
    return this.rules.versions(id);
  }

  @Post()
  async create(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const input = ruleBody(body);
    if ((await this.rules.list()).some((r) => r.code === input.code)) {
      throw new AppError('conflict', `Rule ${input.code} already exists; PUT /rules/:id changes it`, { field: 'code' });
    }
    return this.rules.upsert(input, actor?.id ?? null);
  }

  @Put(':id')
  @AuditSubject('rules')
  async update(@Param('id', ParseIntPipe) id: number, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const rule = await this.rules.get(id);
    const input = ruleBody(body, rule.code);
    return this.rules.upsert({ ...input, enabled: input.enabled ?? rule.enabled }, actor?.id ?? null);
  }

  /** Deletes a rule that never opened a case; disables one that did. */
  @Delete(':id')
  @AuditSubject('rules')
  remove(@Param('id', ParseIntPipe) id: number) {
    return this.rules.remove(id);
  }
}
