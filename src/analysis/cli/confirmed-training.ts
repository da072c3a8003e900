import { createDataSource } from '../../database/data-source';
import type { ConfirmedLabelRow } from '../classifier/confirmed-labels';

/** Reads every confirmed label with its post's current text (posts whose text was purged are left out). */
export async function readConfirmedLabels(databaseUrl: string): Promise<ConfirmedLabelRow[]> {
  const db = createDataSource(databaseUrl);
  await db.initialize();
  try {
    const rows: { post_id: number; category: string; title: string | null; body: string; confirmed_at: Date }[] = await db.query(
      `SELECT l.post_id, l.category, p.title, p.body, l.confirmed_at
         FROM confirmed_labels l JOIN posts p ON p.id = l.post_id
        WHERE p.text_purged_at IS NULL
        ORDER BY l.post_id`,
    );
    return rows.map((r) => ({ postId: r.post_id, category: r.category, title: r.title, body: r.body, confirmedAt: new Date(r.confirmed_at) }));
  } finally {
    await db.destroy();
  }
}
