import { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention: when a post's text was purged. */
export class PostTextPurge1764500000001 implements MigrationInterface {
  name = 'PostTextPurge1764500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "posts" ADD "text_purged_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "posts" DROP COLUMN "text_purged_at"`);
  }
}
