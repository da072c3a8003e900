import { parse } from 'csv-parse/sync';
import { AREA_LEVELS, AreaLevel } from '../areas/area.entity';
import { USER_ROLES, UserRole } from './user.entity';

/** A problem with one CSV row; `row` counts from 1 at the header line, as spreadsheets show it. */
export interface RowError {
  row: number;
  column?: string;
  message: string;
}

export class CsvImportError extends Error {
  constructor(readonly errors: RowError[]) {
    super(`Nothing was imported; fix these rows:\n${errors.map((e) => `  row ${e.row}${e.column ? ` (${e.column})` : ''}: ${e.message}`).join('\n')}`);
  }
}

export interface AreaRow {
  row: number;
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
  aliases: string[];
}

export interface UserRow {
  row: number;
  username: string;
  displayName: string;
  role: UserRole;
  scope: string[];
}

const CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const list = (cell: string | undefined) =>
  (cell ?? '')
    .split(/[|;；、]/)
    .map((s) => s.trim())
    .filter(Boolean);

function records(text: string, required: string[]): { rows: Record<string, string>[]; errors: RowError[] } {
  let rows: Record<string, string>[];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { columns: (header: string[]) => header.map((h) => h.trim()), skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    const e = error as { lines?: number; message: string };
    return { rows: [], errors: [{ row: e.lines ?? 1, message: `not valid CSV: ${e.message}` }] };
  }
  const header = rows.length ? Object.keys(rows[0]) : [];
  const missing = required.filter((c) => rows.length && !header.includes(c));
  if (missing.length) throw new CsvImportError(missing.map((c) => ({ row: 1, column: c, message: 'this column is missing from the header' })));
  return { rows, errors: [] };
}

/**
 * Areas CSV: `code,name,level,parent_code,aliases` (aliases separated by | or ;). Parents must come
 * before children or exist already (`existingCodes`). Returns every row error, not just the first.
 */
export function parseAreasCsv(text: string, existingCodes: ReadonlySet<string>): AreaRow[] {
  const { rows, errors } = records(text, ['code', 'name', 'level', 'parent_code']);
  const seen = new Set<string>();
  const aliases = new Map<string, number>();
  const out: AreaRow[] = [];
  rows.forEach((r, i) => {
    const row = i + 2;
    const fail = (column: string, message: string) => errors.push({ row, column, message });
    if (!CODE.test(r.code ?? '')) fail('code', `"${r.code ?? ''}" must be lowercase letters, digits or -`);
    else if (seen.has(r.code)) fail('code', `"${r.code}" appears twice`);
    if (!r.name) fail('name', 'is empty');
    if (!AREA_LEVELS.includes(r.level as AreaLevel)) fail('level', `"${r.level ?? ''}" must be one of ${AREA_LEVELS.join(', ')}`);
    const parentCode = r.parent_code || null;
    if (parentCode === null && r.level !== 'district') fail('parent_code', 'only a district may have no parent');
    if (parentCode !== null && !seen.has(parentCode) && !existingCodes.has(parentCode)) fail('parent_code', `"${parentCode}" is neither an earlier row nor an existing area`);
    const rowAliases = list(r.aliases);
    for (const alias of rowAliases) {
      if (aliases.has(alias)) fail('aliases', `"${alias}" is already an alias on row ${aliases.get(alias)}`);
      else aliases.set(alias, row);
    }
    seen.add(r.code);
    out.push({ row, code: r.code, name: r.name, level: r.level as AreaLevel, parentCode, aliases: rowAliases });
  });
  if (errors.length) throw new CsvImportError(errors);
  return out;
}

/** Users CSV: `username,display_name,role,scope` (scope: area codes separated by | or ;). */
export function parseUsersCsv(text: string, areaCodes: ReadonlySet<string>): UserRow[] {
  const { rows, errors } = records(text, ['username', 'display_name', 'role', 'scope']);
  const seen = new Set<string>();
  const out: UserRow[] = [];
  rows.forEach((r, i) => {
    const row = i + 2;
    const fail = (column: string, message: string) => errors.push({ row, column, message });
    if (!USERNAME.test(r.username ?? '')) fail('username', `"${r.username ?? ''}" must be 2-64 of a-z 0-9 . _ -`);
    else if (seen.has(r.username)) fail('username', `"${r.username}" appears twice`);
    if (!r.display_name) fail('display_name', 'is empty');
    if (!USER_ROLES.includes(r.role as UserRole)) fail('role', `"${r.role ?? ''}" must be one of ${USER_ROLES.join(', ')}`);
    const scope = list(r.scope);
    if (scope.length === 0) fail('scope', 'needs at least one area code');
    for (const code of scope) if (!areaCodes.has(code)) fail('scope', `unknown area "${code}"`);
    seen.add(r.username);
    out.push({ row, username: r.username, displayName: r.display_name, role: r.role as UserRole, scope });
  });
  if (errors.length) throw new CsvImportError(errors);
  return out;
}
