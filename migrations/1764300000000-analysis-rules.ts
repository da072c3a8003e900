import { MigrationInterface, QueryRunner } from 'typeorm';

/** Analysis and rules: two-level category, heat and warning level, place candidates, topics, SimHash, suppressions, rule roles, hit counts and rule versions. */
export class AnalysisRules1764300000000 implements MigrationInterface {
  name = 'AnalysisRules1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rule_versions" ("id" SERIAL NOT NULL, "rule_id" integer NOT NULL, "version" integer NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "role" text NOT NULL, "definition" jsonb NOT NULL, "level" text NOT NULL, "category" text, "created_by" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f94078d9fb0f85dcdf3ceaec3ec" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_2d8acf6f0441a041f54a45883d" ON "rule_versions" ("rule_id", "version") `);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "domain" text`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "dispute_type" text`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "category_confidence" real NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "category_model" text`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "heat_score" real NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "warning_level" text NOT NULL DEFAULT 'blue'`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "heat_signals" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "place_candidates" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "topics" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "simhash" text`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD "suppressed_by" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "rules" ADD "role" text NOT NULL DEFAULT 'warning'`);
    await queryRunner.query(`ALTER TABLE "rules" ADD "hit_count" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "rules" ADD "last_hit_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "rule_versions" ADD CONSTRAINT "FK_d13d4a69ecdb5acf7b1df3bbf6c" FOREIGN KEY ("rule_id") REFERENCES "rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    // The current version of every existing rule becomes its first recorded version.
    await queryRunner.query(
      `INSERT INTO "rule_versions" ("rule_id", "version", "name", "kind", "role", "definition", "level", "category")
       SELECT "id", "version", "name", "kind", "role", "definition", "level", "category" FROM "rules"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rule_versions" DROP CONSTRAINT "FK_d13d4a69ecdb5acf7b1df3bbf6c"`);
    await queryRunner.query(`ALTER TABLE "rules" DROP COLUMN "last_hit_at"`);
    await queryRunner.query(`ALTER TABLE "rules" DROP COLUMN "hit_count"`);
    await queryRunner.query(`ALTER TABLE "rules" DROP COLUMN "role"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "suppressed_by"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "simhash"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "topics"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "place_candidates"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "heat_signals"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "warning_level"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "heat_score"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "category_model"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "category_confidence"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "dispute_type"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP COLUMN "domain"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2d8acf6f0441a041f54a45883d"`);
    await queryRunner.query(`DROP TABLE "rule_versions"`);
  }
}
