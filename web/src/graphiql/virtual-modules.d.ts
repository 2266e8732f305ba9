/** The README's example operations, extracted at build time by the `readme-operations` plugin in web/vite.config.ts. */
declare module 'virtual:readme-operations' {
  import type { ExampleOperation } from './readme-operations.js';
  const operations: ExampleOperation[];
  export default operations;
}
