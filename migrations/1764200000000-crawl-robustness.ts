import { MigrationInterface, QueryRunner } from 'typeorm';

/** Collection: source state (status, circuit, validators, schedule, push token hash), the crawl-run log, post revisions. */
export class CrawlRobustness1764200000000 implements MigrationInterface {
  name = 'CrawlRobustness1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "post_revisions" ("id" SERIAL NOT NULL, "post_id" integer NOT NULL, "revision" integer NOT NULL, "title" text NOT NULL, "body" text NOT NULL, "author" text, "content_hash" text NOT NULL, "fetched_at" TIMESTAMP WITH TIME ZONE NOT NULL, "replaced_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_871219c3d5044d70ff7d59480b8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_38a1636a8f63900f2582b4e8d6" ON "post_revisions" ("post_id", "revision") `);
    await queryRunner.query(`CREATE TABLE "crawl_runs" ("id" SERIAL NOT NULL, "source_id" integer NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "status" text NOT NULL, "found" integer NOT NULL DEFAULT '0', "stored" integer NOT NULL DEFAULT '0', "pages" integer NOT NULL DEFAULT '0', "requests" integer NOT NULL DEFAULT '0', "retries" integer NOT NULL DEFAULT '0', "error_code" text, "error" text, "latency_ms" integer, CONSTRAINT "PK_cd392888d25b4db48af96de4402" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_c7c9229186778aa9f29df229f8" ON "crawl_runs" ("source_id", "started_at") `);
    await queryRunner.query(`ALTER TABLE "sources" ADD "last_stored_count" integer`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "status" text NOT NULL DEFAULT 'new'`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "last_error_code" text`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "avg_latency_ms" integer`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "circuit_state" text NOT NULL DEFAULT 'closed'`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "circuit_open_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "etag" text`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "last_modified" text`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "cron" text`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "jitter_seconds" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "active_hours" text`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "push_token_hash" text`);
    await queryRunner.query(`ALTER TABLE "post_revisions" ADD CONSTRAINT "FK_21715fae1f647ae1e4b0741346a" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "crawl_runs" ADD CONSTRAINT "FK_70c76f0a4a61c88de86d3c7b589" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crawl_runs" DROP CONSTRAINT "FK_70c76f0a4a61c88de86d3c7b589"`);
    await queryRunner.query(`ALTER TABLE "post_revisions" DROP CONSTRAINT "FK_21715fae1f647ae1e4b0741346a"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "push_token_hash"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "active_hours"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "jitter_seconds"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "cron"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "last_modified"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "etag"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "circuit_open_until"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "circuit_state"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "avg_latency_ms"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "last_error_code"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "status"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP COLUMN "last_stored_count"`);
    await queryRunner.query(`DROP TABLE "crawl_runs"`);
    await queryRunner.query(`DROP TABLE "post_revisions"`);
  }
}
