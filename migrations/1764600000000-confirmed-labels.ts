import { MigrationInterface, QueryRunner } from 'typeorm';

/** Categories confirmed on cases (PATCH /cases/:id/classification), one per post: training labels. */
export class ConfirmedLabels1764600000000 implements MigrationInterface {
  name = 'ConfirmedLabels1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "confirmed_labels" ("post_id" integer NOT NULL, "category" text NOT NULL, "case_id" integer NOT NULL, "confirmed_by" integer, "confirmed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7c970b693fbdc639984803ed537" PRIMARY KEY ("post_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_76d0768e3a09180bf058f0f921" ON "confirmed_labels" ("case_id") `);
    await queryRunner.query(
      `ALTER TABLE "confirmed_labels" ADD CONSTRAINT "FK_7c970b693fbdc639984803ed537" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "confirmed_labels" ADD CONSTRAINT "FK_76d0768e3a09180bf058f0f9214" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "confirmed_labels" ADD CONSTRAINT "FK_a17a2a7d10cdb1656a5c5783df8" FOREIGN KEY ("confirmed_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "confirmed_labels" DROP CONSTRAINT "FK_a17a2a7d10cdb1656a5c5783df8"`);
    await queryRunner.query(`ALTER TABLE "confirmed_labels" DROP CONSTRAINT "FK_76d0768e3a09180bf058f0f9214"`);
    await queryRunner.query(`ALTER TABLE "confirmed_labels" DROP CONSTRAINT "FK_7c970b693fbdc639984803ed537"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_76d0768e3a09180bf058f0f921"`);
    await queryRunner.query(`DROP TABLE "confirmed_labels"`);
  }
}
