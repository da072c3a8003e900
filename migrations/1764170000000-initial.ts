import { MigrationInterface, QueryRunner } from 'typeorm';

/** The first cut of the domain model: areas, users, sources, posts, analyses, rules, cases and their timeline. */
export class Initial1764170000000 implements MigrationInterface {
  name = 'Initial1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "areas" ("id" SERIAL NOT NULL, "code" text NOT NULL, "name" text NOT NULL, "level" text NOT NULL, "parent_id" integer, "path" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5110493f6342f34c978c084d0d6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1ce4e4f7cd8d820081bc74aa16" ON "areas" ("code") `);
    await queryRunner.query(`CREATE INDEX "IDX_86373c0dc23df246c2b6ac977c" ON "areas" ("parent_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_599263d2564511617646d01cb3" ON "areas" ("path") `);
    await queryRunner.query(`CREATE TABLE "area_aliases" ("id" SERIAL NOT NULL, "alias" text NOT NULL, "area_id" integer NOT NULL, CONSTRAINT "PK_0a44a976a2063a52d5d8855eb84" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_2707431286a54f541ed3fb1b79" ON "area_aliases" ("alias") `);
    await queryRunner.query(`CREATE INDEX "IDX_cddf462d76ae8bc3884123de4c" ON "area_aliases" ("area_id") `);
    await queryRunner.query(`CREATE TABLE "sources" ("id" SERIAL NOT NULL, "code" text NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "url" text NOT NULL, "config" jsonb NOT NULL DEFAULT '{}', "interval_seconds" integer NOT NULL, "default_area_id" integer, "enabled" boolean NOT NULL DEFAULT true, "last_run_at" TIMESTAMP WITH TIME ZONE, "last_success_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "consecutive_failures" integer NOT NULL DEFAULT '0', "last_found_count" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_85523beafe5a2a6b90b02096443" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fbcaa228d0b384ae42c2d06ab3" ON "sources" ("code") `);
    await queryRunner.query(`CREATE TABLE "posts" ("id" SERIAL NOT NULL, "source_id" integer NOT NULL, "external_id" text NOT NULL, "url" text NOT NULL, "title" text NOT NULL, "body" text NOT NULL, "author" text, "published_at" TIMESTAMP WITH TIME ZONE, "fetched_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "content_hash" text NOT NULL, "revision" integer NOT NULL DEFAULT '1', "replies" integer, "views" integer, CONSTRAINT "PK_2829ac61eff60fcec60d7274b9e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_db4d0dd1f40357a7c8da45b7e0" ON "posts" ("fetched_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_694a6bf7e0defde527d217aa13" ON "posts" ("source_id", "external_id") `);
    await queryRunner.query(`CREATE TABLE "analyses" ("id" SERIAL NOT NULL, "post_id" integer NOT NULL, "content_hash" text NOT NULL, "pipeline_version" integer NOT NULL, "keywords" text array NOT NULL DEFAULT '{}', "area_id" integer, "area_confidence" real NOT NULL DEFAULT '0', "matched_alias" text, "category" text, "fired_rules" jsonb NOT NULL DEFAULT '[]', "analyzed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_91421900ca225ed9865d016a940" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_7ec2ca11e02f8cf7e3ca58c06a" ON "analyses" ("post_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ea3a7922b0fee8a7bd88603aec" ON "analyses" ("post_id", "content_hash", "pipeline_version") `);
    await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL NOT NULL, "username" text NOT NULL, "display_name" text NOT NULL, "role" text NOT NULL, "password_hash" text NOT NULL, "scope_area_ids" integer array NOT NULL DEFAULT '{}', "on_duty" boolean NOT NULL DEFAULT true, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fe0bb3f6520ee0469504521e71" ON "users" ("username") `);
    await queryRunner.query(`CREATE TABLE "rules" ("id" SERIAL NOT NULL, "code" text NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "definition" jsonb NOT NULL, "level" text NOT NULL, "category" text, "version" integer NOT NULL DEFAULT '1', "enabled" boolean NOT NULL DEFAULT true, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_10fef696a7d61140361b1b23608" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_5ac936be5308d9147c81452d33" ON "rules" ("code") `);
    await queryRunner.query(`CREATE TABLE "cases" ("id" SERIAL NOT NULL, "number" text NOT NULL, "area_id" integer NOT NULL, "rule_id" integer NOT NULL, "category" text, "level" text NOT NULL, "status" text NOT NULL, "assignee_id" integer, "outcome" text, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "assigned_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "first_response_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "post_count" integer NOT NULL DEFAULT '0', "version" integer NOT NULL, CONSTRAINT "PK_264acb3048c240fb89aa34626db" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ae60d858083bc354a00442863b" ON "cases" ("number") `);
    await queryRunner.query(`CREATE INDEX "IDX_f2ae8466051d50161410b1e17b" ON "cases" ("area_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_c71df5e7279ba08e88c6b47a55" ON "cases" ("status") `);
    await queryRunner.query(`CREATE INDEX "IDX_1e03d7426e634bc22f7241ebfb" ON "cases" ("assignee_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_3dedc1fecf8a62e58b190dc98c" ON "cases" ("opened_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "cases_one_open_per_area_rule" ON "cases" ("area_id", "rule_id") WHERE status NOT IN ('settled', 'dismissed', 'merged')`);
    await queryRunner.query(`CREATE TABLE "case_events" ("id" SERIAL NOT NULL, "case_id" integer NOT NULL, "type" text NOT NULL, "actor_id" integer, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "data" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_61f203ee26b76c6438bbcc7bde6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_259dbf949114e25670ac6cad20" ON "case_events" ("case_id") `);
    await queryRunner.query(`CREATE TABLE "case_posts" ("case_id" integer NOT NULL, "post_id" integer NOT NULL, "attached_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9e98af91c5fc61c7be680b60bce" PRIMARY KEY ("case_id", "post_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_7204d8b2bffe1474b03bda9f31" ON "case_posts" ("post_id") `);
    await queryRunner.query(`CREATE TABLE "responses" ("id" SERIAL NOT NULL, "case_id" integer NOT NULL, "kind" text NOT NULL, "text" text NOT NULL, "published_url" text, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "author_id" integer NOT NULL, CONSTRAINT "PK_be3bdac59bd243dff421ad7bf70" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_b1fc4f1361362713f936e6adf4" ON "responses" ("case_id") `);
    await queryRunner.query(`ALTER TABLE "areas" ADD CONSTRAINT "FK_86373c0dc23df246c2b6ac977c3" FOREIGN KEY ("parent_id") REFERENCES "areas"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "area_aliases" ADD CONSTRAINT "FK_cddf462d76ae8bc3884123de4ce" FOREIGN KEY ("area_id") REFERENCES "areas"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "posts" ADD CONSTRAINT "FK_ed9db02678ff244463eb5d8ae59" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD CONSTRAINT "FK_7ec2ca11e02f8cf7e3ca58c06a8" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "FK_f2ae8466051d50161410b1e17be" FOREIGN KEY ("area_id") REFERENCES "areas"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "FK_4b4c490ec941ffaa3ed027bf79e" FOREIGN KEY ("rule_id") REFERENCES "rules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "FK_1e03d7426e634bc22f7241ebfba" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_events" ADD CONSTRAINT "FK_259dbf949114e25670ac6cad205" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_posts" ADD CONSTRAINT "FK_63fcf6dac2a0ec2f90a85cba5ec" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_posts" ADD CONSTRAINT "FK_7204d8b2bffe1474b03bda9f31d" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "responses" ADD CONSTRAINT "FK_b1fc4f1361362713f936e6adf43" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    // The case timeline is append-only, whoever connects.
    await queryRunner.query(`CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'case_events is append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON "case_events" FOR EACH ROW EXECUTE FUNCTION case_events_append_only()`);
    await queryRunner.query(`CREATE SEQUENCE case_number_seq`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SEQUENCE case_number_seq`);
    await queryRunner.query(`DROP TRIGGER case_events_no_update ON "case_events"`);
    await queryRunner.query(`DROP FUNCTION case_events_append_only()`);
    await queryRunner.query(`ALTER TABLE "responses" DROP CONSTRAINT "FK_b1fc4f1361362713f936e6adf43"`);
    await queryRunner.query(`ALTER TABLE "case_posts" DROP CONSTRAINT "FK_7204d8b2bffe1474b03bda9f31d"`);
    await queryRunner.query(`ALTER TABLE "case_posts" DROP CONSTRAINT "FK_63fcf6dac2a0ec2f90a85cba5ec"`);
    await queryRunner.query(`ALTER TABLE "case_events" DROP CONSTRAINT "FK_259dbf949114e25670ac6cad205"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_1e03d7426e634bc22f7241ebfba"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_4b4c490ec941ffaa3ed027bf79e"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_f2ae8466051d50161410b1e17be"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP CONSTRAINT "FK_7ec2ca11e02f8cf7e3ca58c06a8"`);
    await queryRunner.query(`ALTER TABLE "posts" DROP CONSTRAINT "FK_ed9db02678ff244463eb5d8ae59"`);
    await queryRunner.query(`ALTER TABLE "area_aliases" DROP CONSTRAINT "FK_cddf462d76ae8bc3884123de4ce"`);
    await queryRunner.query(`ALTER TABLE "areas" DROP CONSTRAINT "FK_86373c0dc23df246c2b6ac977c3"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_b1fc4f1361362713f936e6adf4"`);
    await queryRunner.query(`DROP TABLE "responses"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7204d8b2bffe1474b03bda9f31"`);
    await queryRunner.query(`DROP TABLE "case_posts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_259dbf949114e25670ac6cad20"`);
    await queryRunner.query(`DROP TABLE "case_events"`);
    await queryRunner.query(`DROP INDEX "public"."cases_one_open_per_area_rule"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3dedc1fecf8a62e58b190dc98c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1e03d7426e634bc22f7241ebfb"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c71df5e7279ba08e88c6b47a55"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_f2ae8466051d50161410b1e17b"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ae60d858083bc354a00442863b"`);
    await queryRunner.query(`DROP TABLE "cases"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5ac936be5308d9147c81452d33"`);
    await queryRunner.query(`DROP TABLE "rules"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_fe0bb3f6520ee0469504521e71"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ea3a7922b0fee8a7bd88603aec"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7ec2ca11e02f8cf7e3ca58c06a"`);
    await queryRunner.query(`DROP TABLE "analyses"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_694a6bf7e0defde527d217aa13"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_db4d0dd1f40357a7c8da45b7e0"`);
    await queryRunner.query(`DROP TABLE "posts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_fbcaa228d0b384ae42c2d06ab3"`);
    await queryRunner.query(`DROP TABLE "sources"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cddf462d76ae8bc3884123de4c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2707431286a54f541ed3fb1b79"`);
    await queryRunner.query(`DROP TABLE "area_aliases"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_599263d2564511617646d01cb3"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_86373c0dc23df246c2b6ac977c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1ce4e4f7cd8d820081bc74aa16"`);
    await queryRunner.query(`DROP TABLE "areas"`);
  }
}
