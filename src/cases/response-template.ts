import { AppError } from '../common/app-error';

/** Templates: category → kind → text with {{variables}}; `default` for categories without their own. */
export type TemplateBook = Record<string, Record<string, string>>;

const VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** The template for a category and kind (the category's own, else `default`), with its key. */
export function pickTemplate(book: TemplateBook, category: string | null, kind: string): { key: string; text: string } | null {
  for (const cat of [category, 'default']) {
    if (cat && book[cat]?.[kind]) return { key: `${cat}/${kind}`, text: book[cat][kind] };
  }
  return null;
}

export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]))];
}

/** Fills every {{variable}}; a missing one is an invalid request that lists what is missing. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  const missing = templateVariables(text).filter((v) => !vars[v]?.trim());
  if (missing.length) {
    throw new AppError('invalid_request', `The template needs the variables: ${missing.join(', ')}`, { fields: { variables: `missing ${missing.join(', ')}` }, missing });
  }
  return text.replace(VARIABLE, (_m, name: string) => vars[name].trim());
}
