import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * posts.text_escape: the title or body holds a character the dry-run prefilter cannot see through (a zero-width
 * character, a numeric entity "&#", a CJK compatibility ideograph; ESCAPE in src/rules/dry-run-prefilter.ts, which a
 * test keeps equal to this pattern). Set by a trigger on insert and on any update of title or body, so ingest code
 * does not change; the dry-run reads the flag instead of running the pattern over every post.
 *
 * Cost: adding the column is instant (a constant default); the backfill scans posts once (about 5 s per million
 * posts) and rewrites only the few rows that hold such characters. Each insert or title/body update runs the pattern
 * once over the new title and body (microseconds).
 */
export class PostTextEscape1764700000020 implements MigrationInterface {
  name = 'PostTextEscape1764700000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pattern = `E'[\\u00AD\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF\\uF900-\\uFAFF\\U0002F800-\\U0002FA1F]|&#'`;
    await queryRunner.query(`ALTER TABLE "posts" ADD "text_escape" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `CREATE FUNCTION posts_text_escape() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.text_escape := NEW.title ~ ${pattern} OR NEW.body ~ ${pattern};
         RETURN NEW;
       END $$`,
    );
    await queryRunner.query(`CREATE TRIGGER posts_text_escape BEFORE INSERT OR UPDATE OF title, body, text_escape ON posts FOR EACH ROW EXECUTE FUNCTION posts_text_escape()`);
    await queryRunner.query(`UPDATE posts SET text_escape = true WHERE title ~ ${pattern} OR body ~ ${pattern}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER posts_text_escape ON posts`);
    await queryRunner.query(`DROP FUNCTION posts_text_escape()`);
    await queryRunner.query(`ALTER TABLE "posts" DROP COLUMN "text_escape"`);
  }
}
