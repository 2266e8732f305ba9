// `npx tsx scripts/hash-password.ts alice` prompts for a password and prints the AUTH_USERS entry
// `alice:scrypt.N.r.p.salt.hash`; several entries are joined with commas.
import { createInterface } from 'node:readline/promises';
import { hashPassword } from '../server/src/http/auth.js';

const user = process.argv[2];
if (!user || /[:,\s]/.test(user)) {
  process.stderr.write(
    'usage: npx tsx scripts/hash-password.ts <user>   (no ":", "," or spaces in the name)\n',
  );
  process.exit(2);
}
const password = process.env.HOOKSCOPE_PASSWORD ?? (await ask('password: '));
if (password === '') {
  process.stderr.write('the password must not be empty\n');
  process.exit(2);
}
process.stdout.write(`${user}:${hashPassword(password)}\n`);

async function ask(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  process.stderr.write(prompt);
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}
