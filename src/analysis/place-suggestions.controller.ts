import { Controller, Get, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Roles } from '../auth/auth.decorators';
import { AppError } from '../common/app-error';

function intParam(value: string | undefined, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('invalid_request', `${field} must be an integer from ${min} to ${max}`, { field });
  return n;
}

/**
 * Place-like mentions the gazetteer does not know (…小区, …花园, …路, jieba place tags), most mentioned
 * first, offered to operators as new aliases: with how many posts named them, when last, and the
 * area those posts were placed in most often (the likely owner of the alias) — or, when a person
 * corrected the area of a case holding such a post (PATCH /cases/:id/classification), that area
 * (`fromCorrection: true`).
 */
@Controller('analysis')
@Roles('operator', 'admin')
export class PlaceSuggestionsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('place-suggestions')
  async suggestions(@Query('days') days?: string, @Query('minPosts') minPosts?: string, @Query('limit') limit?: string) {
    const rows: { name: string; posts: number; last_seen: Date; area_id: number | null; area_name: string | null; corrected: boolean }[] = await this.db.query(
      `SELECT s.name, s.posts, s.last_seen, coalesce(corr.area_id, s.area_id) AS area_id, ar.name AS area_name, corr.area_id IS NOT NULL AS corrected
         FROM (SELECT cand AS name, count(DISTINCT a.post_id)::int AS posts, max(a.analyzed_at) AS last_seen,
                      mode() WITHIN GROUP (ORDER BY a.area_id) AS area_id
                 FROM analyses a CROSS JOIN LATERAL unnest(a.place_candidates) AS cand
                WHERE a.analyzed_at >= now() - make_interval(days => $1)
                GROUP BY cand) s
         LEFT JOIN LATERAL (SELECT (e.data->'after'->>'areaId')::int AS area_id FROM case_events e
                             WHERE e.type = 'reclassified' AND e.data->'aliasSuggestions' ? s.name ORDER BY e.id DESC LIMIT 1) corr ON true
         LEFT JOIN areas ar ON ar.id = coalesce(corr.area_id, s.area_id)
        WHERE s.posts >= $2 AND NOT EXISTS (SELECT 1 FROM area_aliases al WHERE al.alias = s.name)
        ORDER BY s.posts DESC, s.last_seen DESC, s.name
        LIMIT $3`,
      [intParam(days, 'days', 90, 1, 3650), intParam(minPosts, 'minPosts', 1, 1, 100_000), intParam(limit, 'limit', 50, 1, 500)],
    );
    return { items: rows.map((r) => ({ name: r.name, posts: r.posts, lastSeen: r.last_seen, suggestedAreaId: r.area_id, suggestedAreaName: r.area_name, fromCorrection: r.corrected })) };
  }
}
