import { MigrationInterface, QueryRunner } from 'typeorm';

/** Crawl-run log retention: the runs it deletes are summed into crawl_run_totals (the metrics counters stay whole). */
export class CrawlRunRetention1764800000000 implements MigrationInterface {
  name = 'CrawlRunRetention1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crawl_run_totals" ("source_id" integer NOT NULL, "status" text NOT NULL, "error_kind" text NOT NULL, "runs" integer NOT NULL, "retries" integer NOT NULL, CONSTRAINT "PK_e5e80a886ed515ab6cc52a01307" PRIMARY KEY ("source_id", "status", "error_kind"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "crawl_run_totals" ADD CONSTRAINT "FK_8fd6bf607d35f8b9513b2d678cf" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_d715051fb9742a28294024473a" ON "crawl_runs" ("started_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_d715051fb9742a28294024473a"`);
    await queryRunner.query(`ALTER TABLE "crawl_run_totals" DROP CONSTRAINT "FK_8fd6bf607d35f8b9513b2d678cf"`);
    await queryRunner.query(`DROP TABLE "crawl_run_totals"`);
  }
}
