import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { load } from 'js-yaml';
import { AreasService } from '../areas/areas.service';
import { AppError } from '../common/app-error';
import { projectRoot } from '../config/config.loader';
import type { Case } from './case.entity';
import { pickTemplate, renderTemplate, TemplateBook, templateVariables } from './response-template';
import type { ResponseKind } from './response.entity';

/** The response templates of config/templates/responses.yaml, with the built-in variables of a case filled in. */
@Injectable()
export class ResponseTemplates {
  private book?: TemplateBook;

  constructor(private readonly areas: AreasService) {}

  private load(): TemplateBook {
    this.book ??= load(readFileSync(join(projectRoot(), 'config', 'templates', 'responses.yaml'), 'utf8')) as TemplateBook;
    return this.book;
  }

  private async builtIns(c: Case): Promise<Record<string, string>> {
    const area = await this.areas.get(c.areaId);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    return { 社区: area?.name ?? '社区', 对方: c.counterparty?.name ?? '相关单位', 案件编号: c.number, 日期: today };
  }

  /** Templates that apply to the case, one per kind, with the variables still to give. */
  async forCase(c: Case) {
    const builtIns = await this.builtIns(c);
    return (['pacifying', 'explanatory', 'clarification', 'follow_up'] as ResponseKind[]).flatMap((kind) => {
      const t = pickTemplate(this.load(), c.category, kind);
      return t ? [{ kind, key: t.key, text: t.text, variables: templateVariables(t.text).filter((v) => !(v in builtIns)) }] : [];
    });
  }

  async render(c: Case, kind: ResponseKind, vars: Record<string, string>): Promise<{ key: string; text: string }> {
    const t = pickTemplate(this.load(), c.category, kind);
    if (!t) throw new AppError('invalid_request', `There is no ${kind} template for ${c.category ?? 'cases without a category'}; send the text`, { fields: { text: 'required' } });
    return { key: t.key, text: renderTemplate(t.text, { ...vars, ...(await this.builtIns(c)) }) };
  }
}
