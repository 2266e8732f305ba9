import { defineConfig } from 'drizzle-kit';

/** drizzle-kit reads this to generate the committed SQL migrations from server/src/store/schema.ts. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './server/src/store/schema.ts',
  out: './server/drizzle',
});
