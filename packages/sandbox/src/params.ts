/**
 * Request parameters as Robokassa's ASP.NET front end sees them: one level of query/form decoding (`+` is a
 * space, `%2B` is a plus), names matched without regard to letter case, the query string before the form body
 * (§1.1: `invoiceID=`, `isTest`, `recurring` are all sent in the wild).
 */
export type ParamEntry = readonly [name: string, value: string];

export class ParamBag {
  readonly entries: readonly ParamEntry[];
  private readonly byLowerName = new Map<string, string>();

  constructor(entries: Iterable<ParamEntry>) {
    this.entries = [...entries];
    for (const [name, value] of this.entries) {
      const key = name.toLowerCase();
      if (!this.byLowerName.has(key)) this.byLowerName.set(key, value);
    }
  }

  /** The first value under any of `names` (synonyms in order of preference), case-insensitively. */
  get(...names: string[]): string | undefined {
    for (const name of names) {
      const value = this.byLowerName.get(name.toLowerCase());
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** Like `get`, but an empty value counts as absent (modifiers are signed "only if present", §1.2). */
  nonEmpty(...names: string[]): string | undefined {
    const value = this.get(...names);
    return value === undefined || value === '' ? undefined : value;
  }

  /** Every value of a repeatable parameter (`PaymentMethods=BankCard&PaymentMethods=SBP`). */
  all(name: string): string[] {
    const key = name.toLowerCase();
    return this.entries.filter(([n]) => n.toLowerCase() === key).map(([, v]) => v);
  }

  /**
   * User parameters: any name longer than 3 characters starting with `shp` in any letter case (`Shp_`, `SHP_`,
   * `shp_`, §1.1, and the legacy `shpa`, `shpMySuperParam`, `shpparam1` of the DJANGO/OFFSITE vectors), spelled
   * as received, each name once (the first occurrence wins, like every other parameter).
   */
  shp(): ParamEntry[] {
    const seen = new Set<string>();
    const out: ParamEntry[] = [];
    for (const [name, value] of this.entries) {
      const key = name.toLowerCase();
      if (key.length <= 3 || !key.startsWith('shp') || seen.has(key)) continue;
      seen.add(key);
      out.push([name, value]);
    }
    return out;
  }
}

/** Reads the query string and, for POST, an urlencoded or multipart form body. */
export async function readParams(request: Request): Promise<ParamBag> {
  const entries: ParamEntry[] = [...new URL(request.url).searchParams];
  if (request.method === 'POST') {
    const type = request.headers.get('content-type') ?? '';
    if (type.includes('multipart/form-data')) {
      // A malformed multipart body is a request without (valid) parameters, not a server error: the caller
      // answers it with its normal error shape.
      let form: FormData | undefined;
      try {
        form = await request.formData();
      } catch {
        form = undefined;
      }
      for (const [name, value] of form ?? []) if (typeof value === 'string') entries.push([name, value]);
    } else {
      entries.push(...new URLSearchParams(await request.text()));
    }
  }
  return new ParamBag(entries);
}

/** Encodes parameters as a form body / query string (what Robokassa sends to ResultURL, SuccessURL, FailURL). */
export function encodeParams(entries: readonly ParamEntry[]): string {
  return new URLSearchParams(entries.map(([n, v]) => [n, v])).toString();
}
