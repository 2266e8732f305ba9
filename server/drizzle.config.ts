import { defineConfig } from 'drizzle-kit';

/** drizzle-kit reads this to generate the committed SQL migrations from server/src/store/sqlite/schema.ts. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './server/src/store/sqlite/schema.ts',
  out: './server/drizzle/sqlite',
});
