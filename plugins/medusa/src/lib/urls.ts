/**
 * The plugin's public routes, from the base URL of this Medusa as Robokassa reaches it. One place, so the admin's
 * Settings → Robokassa page and the ResultUrl2 sent with each payment name the same URLs.
 */
export const ROUTES = {
  result: '/robokassa/result',
  result2: '/robokassa/result2',
  success: '/robokassa/success',
  fail: '/robokassa/fail',
} as const;

export function publicUrl(base: string, route: keyof typeof ROUTES): string {
  return `${base.replace(/\/+$/, '')}${ROUTES[route]}`;
}
