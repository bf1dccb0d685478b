import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
/** This bugcat's version (package.json's). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;
/** How models name the bugcat that trained them. */
export const CREATED_BY = `bugcat ${VERSION}`;
/** The QEMU model shipped in the package (the command line's default model). */
export const SHIPPED_MODEL = fileURLToPath(new URL('models/qemu', root));
