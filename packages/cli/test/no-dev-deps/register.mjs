// node --import ./register.mjs ...: registers hooks.mjs with the packages and directories named in
// the TESSERA_UNAVAILABLE environment variable (JSON { packages, dirs }).
import { register } from 'node:module';

const data = JSON.parse(process.env.TESSERA_UNAVAILABLE ?? 'null');
if (!data || !Array.isArray(data.packages) || !Array.isArray(data.dirs)) {
  throw new Error('register.mjs needs TESSERA_UNAVAILABLE={"packages": [...], "dirs": [...]} in the environment');
}
register('./hooks.mjs', import.meta.url, { data });
