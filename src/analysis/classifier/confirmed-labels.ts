import { createHash } from 'node:crypto';
import type { CorpusMessage } from './corpus';
import type { Taxonomy } from './taxonomy';

/** A category a person confirmed on a case, with the post's text (confirmed_labels joined with posts). */
export interface ConfirmedLabelRow {
  postId: number;
  category: string;
  title: string | null;
  body: string;
  confirmedAt: Date;
}

/**
 * The classifier's label (a first-level domain) for a confirmed category: a domain stays itself, a
 * dispute type maps to the domain it sits under in the taxonomy; anything else is null (skipped).
 */
export function domainOf(taxonomy: Taxonomy, category: string): string | null {
  for (const domain of taxonomy.domains) {
    if (domain.name === category) return domain.name;
    if (domain.types.some((t) => t.name === category)) return domain.name;
  }
  return null;
}

export interface MergedTraining {
  messages: CorpusMessage[];
  /** Confirmed labels added, and those skipped because their category is not in the taxonomy or the text is gone. */
  added: number;
  skipped: number;
  /** Short digest of the added labels (post, domain): names the model version. */
  digest: string;
}

/** The labelled file messages followed by one message per usable confirmed label (id `confirmed-<postId>`). */
export function mergeConfirmed(fileMessages: readonly CorpusMessage[], confirmed: readonly ConfirmedLabelRow[], taxonomy: Taxonomy): MergedTraining {
  const hash = createHash('sha256');
  const extra: CorpusMessage[] = [];
  let skipped = 0;
  for (const row of [...confirmed].sort((a, b) => a.postId - b.postId)) {
    const label = domainOf(taxonomy, row.category);
    if (!label || !row.body.trim()) {
      skipped++;
      continue;
    }
    hash.update(`${row.postId}\t${label}\n`);
    extra.push({ id: `confirmed-${row.postId}`, title: row.title, body: row.body, label });
  }
  return { messages: [...fileMessages.filter((m) => m.label), ...extra], added: extra.length, skipped, digest: hash.digest('hex').slice(0, 8) };
}

/** The version name of a model: the base one, or `<base>-confirmed-<digest>` when confirmed labels were added. */
export function trainingVersion(base: string, merged?: Pick<MergedTraining, 'added' | 'digest'>): string {
  return merged && merged.added > 0 ? `${base}-confirmed-${merged.digest}` : base;
}
