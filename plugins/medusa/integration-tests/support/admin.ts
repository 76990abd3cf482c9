import type { MedusaContainer } from '@medusajs/framework/types';
import type { Api } from './checkout';

let admins = 0;

/**
 * A fresh admin user, logged in: the headers for the Admin API. Registered through Medusa's own auth routes and
 * user workflow, as the admin's invite flow would; each call makes a new user (the tests' databases are shared by
 * the tests of one file).
 */
export async function adminHeaders(
  api: Api,
  container: MedusaContainer,
): Promise<{ headers: { authorization: string } }> {
  const { createUserAccountWorkflow } = await import('@medusajs/medusa/core-flows');
  admins += 1;
  const credentials = { email: `admin-${Date.now()}-${admins}@kassa.test`, password: 'admin-password' };
  const registered = await api.post('/auth/user/emailpass/register', credentials);
  const payload = JSON.parse(Buffer.from(String(registered.data.token).split('.')[1] ?? '', 'base64url').toString());
  await createUserAccountWorkflow(container).run({
    input: { authIdentityId: payload.auth_identity_id, userData: { email: credentials.email } },
  });
  const login = await api.post('/auth/user/emailpass', credentials);
  return { headers: { authorization: `Bearer ${login.data.token}` } };
}
