import { MigrationInterface, QueryRunner } from 'typeorm';

/** Cases: SLA due times, contacts, commitments, hand-over, merge; routing teams and matrix; the notification outbox. */
export class CasesSlaNotify1764400000000 implements MigrationInterface {
  name = 'CasesSlaNotify1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "case_commitments" ("id" SERIAL NOT NULL, "case_id" integer NOT NULL, "text" text NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "fulfilled_at" TIMESTAMP WITH TIME ZONE, "reminded_at" TIMESTAMP WITH TIME ZONE, "actor_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2146a7e4487cb6eb7f4ebb97444" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_7c53ab00f53e356347eac0dfcb" ON "case_commitments" ("case_id") `);
    await queryRunner.query(`CREATE TABLE "case_contacts" ("id" SERIAL NOT NULL, "case_id" integer NOT NULL, "party" text NOT NULL, "channel" text NOT NULL, "summary" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_id" integer NOT NULL, CONSTRAINT "PK_1436dc12611109e2097a899b9c9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_0827ca760537738691ed7afcb6" ON "case_contacts" ("case_id") `);
    await queryRunner.query(`CREATE TABLE "notifications" ("id" SERIAL NOT NULL, "case_id" integer, "event" text NOT NULL, "channel" text NOT NULL, "target" text NOT NULL, "recipient_user_id" integer, "title" text NOT NULL, "body" text NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_attempt_at" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_63e5f2b81ae561b30d23c1ab6e" ON "notifications" ("case_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_2726bde496d82b6401532ab147" ON "notifications" ("recipient_user_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_77d2d971c58759c2e2249ce7d0" ON "notifications" ("status", "created_at") `);
    await queryRunner.query(`CREATE TABLE "teams" ("id" SERIAL NOT NULL, "name" text NOT NULL, "strategy" text NOT NULL DEFAULT 'least_loaded', "last_assignee_id" integer, CONSTRAINT "PK_7e5523774a38b08a6236d322403" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_48c0c32e6247a2de155baeaf98" ON "teams" ("name") `);
    await queryRunner.query(`CREATE TABLE "team_members" ("id" SERIAL NOT NULL, "team_id" integer NOT NULL, "user_id" integer NOT NULL, "role" text NOT NULL DEFAULT 'member', "capacity" integer NOT NULL DEFAULT '10', "specialties" text array NOT NULL DEFAULT '{}', "on_duty" boolean NOT NULL DEFAULT true, "duty_schedule" jsonb, CONSTRAINT "PK_ca3eae89dcf20c9fd95bf7460aa" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_c2bf4967c8c2a6b845dadfbf3d" ON "team_members" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1d3c06a8217a8785e2af0ec4ab" ON "team_members" ("team_id", "user_id") `);
    await queryRunner.query(`CREATE TABLE "responsibilities" ("id" SERIAL NOT NULL, "area_id" integer NOT NULL, "category" text, "team_id" integer NOT NULL, CONSTRAINT "PK_e22aa58654a4ecfe29d882b85eb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_6eaadac8a76710f7ef62c40afc" ON "responsibilities" ("area_id") `);
    await queryRunner.query(`ALTER TABLE "cases" ADD "first_contact_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "due_acknowledge_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "due_contact_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "due_response_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "due_settle_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "escalation_level" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "counterparty" jsonb`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "team_id" integer`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "merged_into_id" integer`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "dismiss_reason" text`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "handover_department" text`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "handover_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "handover_acknowledged_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "responses" ADD "channel" text`);
    await queryRunner.query(`ALTER TABLE "responses" ADD "template_key" text`);
    await queryRunner.query(`ALTER TABLE "case_commitments" ADD CONSTRAINT "FK_7c53ab00f53e356347eac0dfcb0" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_contacts" ADD CONSTRAINT "FK_0827ca760537738691ed7afcb66" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_members" ADD CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_members" ADD CONSTRAINT "FK_c2bf4967c8c2a6b845dadfbf3d4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "responsibilities" ADD CONSTRAINT "FK_6eaadac8a76710f7ef62c40afcd" FOREIGN KEY ("area_id") REFERENCES "areas"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "responsibilities" ADD CONSTRAINT "FK_36b158bd57741d07c7af6f1a840" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "responsibilities" DROP CONSTRAINT "FK_36b158bd57741d07c7af6f1a840"`);
    await queryRunner.query(`ALTER TABLE "responsibilities" DROP CONSTRAINT "FK_6eaadac8a76710f7ef62c40afcd"`);
    await queryRunner.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_c2bf4967c8c2a6b845dadfbf3d4"`);
    await queryRunner.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea"`);
    await queryRunner.query(`ALTER TABLE "case_contacts" DROP CONSTRAINT "FK_0827ca760537738691ed7afcb66"`);
    await queryRunner.query(`ALTER TABLE "case_commitments" DROP CONSTRAINT "FK_7c53ab00f53e356347eac0dfcb0"`);
    await queryRunner.query(`ALTER TABLE "responses" DROP COLUMN "template_key"`);
    await queryRunner.query(`ALTER TABLE "responses" DROP COLUMN "channel"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "handover_acknowledged_at"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "handover_at"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "handover_department"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "dismiss_reason"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "merged_into_id"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "team_id"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "counterparty"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "escalation_level"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "due_settle_at"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "due_response_at"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "due_contact_at"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "due_acknowledge_at"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "first_contact_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6eaadac8a76710f7ef62c40afc"`);
    await queryRunner.query(`DROP TABLE "responsibilities"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1d3c06a8217a8785e2af0ec4ab"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c2bf4967c8c2a6b845dadfbf3d"`);
    await queryRunner.query(`DROP TABLE "team_members"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_48c0c32e6247a2de155baeaf98"`);
    await queryRunner.query(`DROP TABLE "teams"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_77d2d971c58759c2e2249ce7d0"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2726bde496d82b6401532ab147"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_63e5f2b81ae561b30d23c1ab6e"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0827ca760537738691ed7afcb6"`);
    await queryRunner.query(`DROP TABLE "case_contacts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7c53ab00f53e356347eac0dfcb"`);
    await queryRunner.query(`DROP TABLE "case_commitments"`);
  }
}
