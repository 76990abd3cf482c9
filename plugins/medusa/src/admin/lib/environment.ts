/** Hosts of the real gateways (live and their own test servers). Anything else is a sandbox or an emulator. */
const OFFICIAL_HOSTS = ['robokassa.ru', 'robokassa.kz', 'robokassa.com', 'paysecure.ru', 'paysec.by', 'assist.ru'];

export type GatewayMode = 'sandbox' | 'test' | 'live';

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/**
 * The mode as it really is, from the gateway address payments go to: a non-gateway host is a sandbox whatever the
 * test flag says; on the real gateway, the test flag or a `test.` host (Assist's test server) is test, else live.
 */
export function gatewayMode(gatewayUrl: string, testFlag: boolean): GatewayMode {
  const host = hostOf(gatewayUrl);
  const official = host !== undefined && OFFICIAL_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
  if (!official) return 'sandbox';
  if (testFlag || host.startsWith('test.')) return 'test';
  return 'live';
}

/**
 * True when the gateway's servers cannot reach the URL: no host, `localhost`, `*.local`/`*.internal`, loopback,
 * private, link-local and CGNAT IPv4 ranges, IPv6 loopback / unique-local / link-local.
 */
export function isUnreachableFromInternet(url: string): boolean {
  const host = hostOf(url);
  if (!host) return true;
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) {
    return true;
  }
  if (!host.includes('.') && !host.includes(':')) return true; // a bare machine name (e.g. `medusa`)
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (host.includes(':')) {
    return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}

export function hostLabel(url: string): string {
  return hostOf(url) ?? url;
}
