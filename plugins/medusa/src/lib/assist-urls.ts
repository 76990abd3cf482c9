/**
 * The plugin's public Assist routes, from the base URL of this Medusa as Assist and the buyer reach it. One place, so
 * the admin's settings answer and the return URLs sent with each payment name the same URLs.
 */
export const ASSIST_ROUTES = {
  notification: '/assist/notification',
  returnOk: '/assist/return/ok',
  returnNo: '/assist/return/no',
} as const;

export function assistPublicUrl(base: string, route: keyof typeof ASSIST_ROUTES): string {
  return `${base.replace(/\/+$/, '')}${ASSIST_ROUTES[route]}`;
}
