import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The public test vectors, copied into the repository (test/vectors/robokassa.json) so a clone stands alone. */
export interface Vector {
  source: string;
  description: string;
  inputs: Record<string, string>;
  expected: string;
  verified: boolean;
}

export const VECTORS_PATH = fileURLToPath(new URL('../vectors/robokassa.json', import.meta.url));

export function loadVectors(): Vector[] {
  return JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vector[];
}

/** Vectors that pin a plain hash of a signature base string. */
export function signatureBaseVectors(): Array<Vector & { inputs: { algorithm: string; signature_base: string } }> {
  return loadVectors().filter(
    (v): v is Vector & { inputs: { algorithm: string; signature_base: string } } =>
      typeof v.inputs.signature_base === 'string' && typeof v.inputs.algorithm === 'string',
  );
}
