import { getCurrencies, isKassaError, opStateExt, type RobokassaConfig } from '@kassa/core';

export type CheckVerdict =
  | 'ok'
  | 'wrong_login'
  | 'wrong_password2'
  | 'test_passwords_missing'
  | 'unreachable'
  | 'unexpected';

export interface CheckStep {
  name: 'GetCurrencies' | 'OpStateExt';
  verdict: CheckVerdict;
  /** A sentence for the merchant; never a password or a signature. */
  message: string;
  code?: string | undefined;
}

export interface CredentialsCheck {
  verdict: CheckVerdict;
  steps: CheckStep[];
}

/** Far above any InvId a shop allocates: asking about it never touches a real operation. */
const PROBE_INV_ID = 2 ** 31 - 1;

function classify(error: unknown): { verdict: CheckVerdict; code?: string; resultCode?: number } {
  if (!isKassaError(error)) return { verdict: 'unexpected' };
  if (error.code === 'GATEWAY_UNREACHABLE' || error.code === 'GATEWAY_TIMEOUT') {
    return { verdict: 'unreachable', code: error.code };
  }
  if (error.code === 'TEST_PASSWORDS_MISSING') return { verdict: 'test_passwords_missing', code: error.code };
  const resultCode = error.details.resultCode;
  if (error.code === 'GATEWAY_RESULT_CODE' && resultCode === 2) return { verdict: 'wrong_login', code: error.code };
  if (error.code === 'GATEWAY_RESULT_CODE' && resultCode === 1) return { verdict: 'wrong_password2', code: error.code };
  return { verdict: 'unexpected', code: error.code };
}

const MESSAGES: Record<CheckVerdict, string> = {
  ok: 'Robokassa accepted the request.',
  wrong_login: 'Robokassa does not know this shop: check the shop identifier (not the cabinet login).',
  wrong_password2: 'The shop exists but the signature is wrong: check Password #2 and the hash algorithm.',
  test_passwords_missing: 'Test mode needs the test Password #1 and #2.',
  unreachable: 'Robokassa could not be reached: check the network or the base URL.',
  unexpected: 'Robokassa answered something unexpected; see the server log.',
};

async function step(name: CheckStep['name'], call: () => Promise<unknown>): Promise<CheckStep> {
  try {
    await call();
    return { name, verdict: 'ok', message: MESSAGES.ok };
  } catch (error) {
    const { verdict, code } = classify(error);
    return { name, verdict, message: MESSAGES[verdict], code };
  }
}

/**
 * "Check credentials" in the admin: GetCurrencies (unsigned) proves the host answers and the shop id exists; a
 * signed OpStateExt for an InvId no shop uses proves Password #2 and the algorithm (result code 3, "not found", is
 * the success answer; code 1 is a bad signature). Password #1 is only checked by Robokassa's payment page, so the
 * README tells the merchant to make one test payment.
 */
export async function checkCredentials(config: RobokassaConfig): Promise<CredentialsCheck> {
  const http = { timeoutMs: 5000, retry: { attempts: 1 } };
  const steps: CheckStep[] = [await step('GetCurrencies', () => getCurrencies(config, {}, http))];
  if (steps[0]?.verdict === 'ok') {
    // Real Password #2 only: Robokassa documents no test-password variant of the XML interface (protocol §3.1),
    // so a "wrong test password" verdict here could be false.
    steps.push(await step('OpStateExt', () => opStateExt(config, { invId: PROBE_INV_ID, isTest: false }, http)));
  }
  const failed = steps.find((s) => s.verdict !== 'ok');
  return { verdict: failed?.verdict ?? 'ok', steps };
}
