import { MigrationInterface, QueryRunner } from 'typeorm';

/** Reconciler marks: a pass reads only the posts and analyses since the last verified point, not all of them. */
export class ReconcileMarks1764900000000 implements MigrationInterface {
  name = 'ReconcileMarks1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "reconcile_marks" ("pipeline_version" integer NOT NULL, "analysed_before" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT '-infinity', "analysed_swept_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT '-infinity', "correlated_below" integer NOT NULL DEFAULT '0', "correlated_swept_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT '-infinity', "analysed_resets" integer NOT NULL DEFAULT '0', "correlated_resets" integer NOT NULL DEFAULT '0', "id_sample" integer NOT NULL DEFAULT '0', "id_sampled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT '-infinity', "id_settled" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_82a2fc7520cc71bdc38e2ebb4b3" PRIMARY KEY ("pipeline_version"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reconcile_marks"`);
  }
}
