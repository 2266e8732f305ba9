// `npm run dev`: Vite's dev server for the dashboard, proxying the API (WebSocket included) to a hookscope
// server started separately (`npx tsx server/src/main.ts`). HOOKSCOPE_API overrides where that server is.
import { createServer } from 'vite';

const port = Number(process.env.WEB_PORT ?? 5173);
const server = await createServer({
  configFile: new URL('../web/vite.config.ts', import.meta.url).pathname,
  server: { port, strictPort: false },
});
await server.listen();
server.printUrls();
console.log(`  ➜  API:     proxied to ${process.env.HOOKSCOPE_API ?? 'http://127.0.0.1:8000'}`);

const close = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', close);
process.on('SIGTERM', close);
