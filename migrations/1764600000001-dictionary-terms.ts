import { MigrationInterface, QueryRunner } from 'typeorm';

/** Words operators add to the segmentation dictionary. */
export class DictionaryTerms1764600000001 implements MigrationInterface {
  name = 'DictionaryTerms1764600000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "dictionary_terms" ("id" SERIAL NOT NULL, "term" text NOT NULL, "note" text, "created_by" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dictionary_terms" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_dictionary_terms_term" ON "dictionary_terms" ("term") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_dictionary_terms_term"`);
    await queryRunner.query(`DROP TABLE "dictionary_terms"`);
  }
}
