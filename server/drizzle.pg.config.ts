import { defineConfig } from 'drizzle-kit';

/** drizzle-kit reads this to generate the committed SQL migrations from server/src/store/pg/schema.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/src/store/pg/schema.ts',
  out: './server/drizzle/pg',
});
