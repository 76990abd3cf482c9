import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { KassaError } from '../../errors.js';
import type { RobokassaConfig } from '../config.js';
import { type ApiCallOptions, badResponse, expectOk, formEncode, type GatewayRequest, sendRequest } from './http.js';

/**
 * Elements that repeat. Fixed here so that one `<Currency>` still parses as a list (fast-xml-parser would
 * otherwise give an object for one child and an array for two).
 */
const REPEATED = new Set(['Groups.Group', 'Items.Currency', 'UserField.Field', 'Methods.Method']);

/**
 * Namespace-agnostic parsing (§3): real replies declare `xmlns="http://merchant.roboxchange.com/WebService/"`, the
 * documentation template `http://auth.robokassa.ru/Merchant/WebService/`, an emulator may declare none. With
 * `removeNSPrefix` the `xmlns`/`xmlns:*` declarations and the `xsi:` prefixes disappear and elements are matched by
 * local name only. Values stay strings (`parseTagValue: false`): `100.000000` must never become a float.
 */
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  isArray: (_name, jpath) => {
    const path = String(jpath);
    for (const suffix of REPEATED) if (path.endsWith(suffix)) return true;
    return false;
  },
});

/** Parses an XML web-service reply and returns its root element, checked by local name. */
export function parseXmlReply(endpoint: string, text: string, root: string): unknown {
  // No reply of the web service has a DTD; refusing one closes the door on entity-expansion tricks.
  if (/<!DOCTYPE/i.test(text)) throw badResponse(endpoint, 'the reply declares a DTD', { body: text });
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw badResponse(endpoint, `not well-formed XML (${valid.err.msg})`, { body: text });
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (cause) {
    throw badResponse(endpoint, 'not well-formed XML', { body: text, cause });
  }
  const element = (doc as Record<string, unknown> | undefined)?.[root];
  if (element === undefined || element === null || typeof element !== 'object') {
    throw badResponse(endpoint, `expected a <${root}> root element`, { body: text });
  }
  return element;
}

/** An element that .NET writes as `<X />` when empty (parsed as `''`) or with children. */
export function emptyOr<T extends z.ZodType>(schema: T) {
  return z.union([z.literal(''), schema]).optional();
}

const codeText = z.string().regex(/^\d+$/, 'a non-negative integer');

export const resultSchema = z.object({
  Code: codeText.transform(Number),
  Description: z.string().optional(),
});

/** Generic `Result.Code` meanings of the XML web service (§3, DOC-xml; 5 from LEXTY). */
export const XML_RESULT_CODES: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'bad signature (check Password #2, the test passwords and the hash algorithm)',
  2: 'shop not found or not activated (check the MerchantLogin: the shop id, not the cabinet login)',
  3: 'operation with this InvoiceID not found',
  4: 'two operations with this InvoiceID (a test payment used the same number)',
  5: 'calculation error',
  1000: 'internal error at Robokassa',
};

/** Throws GATEWAY_RESULT_CODE for any non-zero Result.Code; the description is Robokassa's, never ours. */
export function checkResult(endpoint: string, result: z.infer<typeof resultSchema>): void {
  if (result.Code === 0) return;
  const meaning = XML_RESULT_CODES[result.Code] ?? 'undocumented result code';
  throw new KassaError('GATEWAY_RESULT_CODE', `Robokassa ${endpoint} returned result code ${result.Code}: ${meaning}`, {
    details: { endpoint, resultCode: result.Code, description: result.Description, meaning },
  });
}

/** Validates a parsed element against a schema; a mismatch is a GATEWAY_BAD_RESPONSE naming the first issue. */
export function validateReply<T extends z.ZodType>(endpoint: string, schema: T, element: unknown, text: string) {
  const parsed = schema.safeParse(element);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw badResponse(endpoint, `${where}: ${issue?.message ?? 'invalid'}`, { body: text });
  }
  return parsed.data as z.output<T>;
}

export interface XmlCall {
  endpoint: string;
  /** `Service.asmx` method name. */
  method: string;
  params: ReadonlyArray<readonly [string, string]>;
  root: string;
}

/**
 * GET `${merchant}/Merchant/WebService/Service.asmx/<Method>?…` (DOC-xml allows GET, POST and SOAP; GET keeps the
 * request trivially idempotent). All web-service methods are reads and are retried on transient failures.
 */
export async function callXml(
  config: RobokassaConfig,
  call: XmlCall,
  options: ApiCallOptions = {},
): Promise<{ element: unknown; text: string }> {
  const request: GatewayRequest = {
    endpoint: call.endpoint,
    url: `${config.baseUrls.merchant}/Merchant/WebService/Service.asmx/${call.method}?${formEncode(call.params)}`,
    method: 'GET',
    headers: { accept: 'application/xml, text/xml' },
    idempotent: true,
  };
  const response = expectOk(request, await sendRequest(request, options));
  return { element: parseXmlReply(call.endpoint, response.text, call.root), text: response.text };
}
