/**
 * Calling an Assist web service with `Format=3` and reading its XML reply (protocol notes §3.0):
 * `<result firstcode=".." secondcode=".." count="n"> … </result>`.
 *
 * Real replies start with an internal DTD subset (`<!DOCTYPE result [ <!ATTLIST …> <!ELEMENT …> ]>`, RUBY fixtures
 * captured from Assist's test server), so a DOCTYPE cannot simply be refused. It is cut off before parsing; one that
 * declares an entity is refused (no reply needs one, and entities are how XML bombs work).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { KassaError } from '../../errors.js';
import type { AssistConfig } from '../config.js';
import { explainAssistError } from './codes.js';
import { type AssistCallOptions, assistBadResponse, assistPost } from './http.js';

/** Elements that repeat, fixed so that one child still parses as a list. */
const REPEATED = ['result.order', 'result.orders.order', 'result.order.operation', 'result.orders.order.operation'];

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Amounts stay strings: `4.00` must never become the float 4.
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // RUBY's charge fixture pads values (`<responsecode> AS000 </responsecode>`).
  trimValues: true,
  processEntities: true,
  isArray: (_name, jpath) => REPEATED.includes(String(jpath)),
});

/** Removes a leading DOCTYPE (with its internal subset); refuses entity declarations. */
export function stripDoctype(endpoint: string, text: string): string {
  const start = text.search(/<!DOCTYPE/i);
  if (start === -1) return text;
  if (/<!ENTITY/i.test(text)) throw assistBadResponse(endpoint, 'the reply declares an XML entity', { body: text });
  const bracket = text.indexOf('[', start);
  const close = text.indexOf('>', start);
  let end: number;
  if (bracket !== -1 && (close === -1 || bracket < close)) {
    const subsetEnd = text.indexOf(']', bracket);
    const after = subsetEnd === -1 ? -1 : text.indexOf('>', subsetEnd);
    if (after === -1) throw assistBadResponse(endpoint, 'an unterminated DOCTYPE', { body: text });
    end = after + 1;
  } else {
    if (close === -1) throw assistBadResponse(endpoint, 'an unterminated DOCTYPE', { body: text });
    end = close + 1;
  }
  return text.slice(0, start) + text.slice(end);
}

const codeAttr = z.string().trim().regex(/^\d+$/, 'a non-negative integer').transform(Number);

const resultAttrs = z.object({
  '@_firstcode': codeAttr,
  '@_secondcode': codeAttr,
  '@_count': codeAttr.optional(),
});

export interface AssistResultHeader {
  readonly firstCode: number;
  readonly secondCode: number;
  readonly count?: number | undefined;
}

export interface AssistXmlReply {
  readonly header: AssistResultHeader;
  /** The `<result>` element as parsed (attributes under `@_…`). */
  readonly element: Record<string, unknown>;
  readonly text: string;
}

/** Parses a `<result>` reply. Throws GATEWAY_BAD_RESPONSE for anything that is not one. */
export function parseAssistXml(endpoint: string, text: string): AssistXmlReply {
  const body = stripDoctype(endpoint, text);
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw assistBadResponse(endpoint, `not well-formed XML (${valid.err.msg})`, { body: text });
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch (cause) {
    throw assistBadResponse(endpoint, 'not well-formed XML', { body: text, cause });
  }
  const element = (doc as Record<string, unknown> | undefined)?.result;
  if (element === undefined || element === null || typeof element !== 'object') {
    throw assistBadResponse(endpoint, 'expected a <result> root element', { body: text });
  }
  const attrs = resultAttrs.safeParse(element);
  if (!attrs.success)
    throw assistBadResponse(endpoint, '<result> without numeric firstcode/secondcode', { body: text });
  const header = {
    firstCode: attrs.data['@_firstcode'],
    secondCode: attrs.data['@_secondcode'],
    count: attrs.data['@_count'],
  };
  return { header, element: element as Record<string, unknown>, text };
}

/** ASSIST_GATEWAY_ERROR for a non-zero firstcode, with a readable explanation in both languages. */
export function assistGatewayError(endpoint: string, header: AssistResultHeader): KassaError {
  const explanation = explainAssistError(header.firstCode, header.secondCode);
  return new KassaError('ASSIST_GATEWAY_ERROR', `Assist ${endpoint} answered ${explanation.en}`, {
    details: {
      endpoint,
      firstCode: header.firstCode,
      secondCode: header.secondCode,
      explanation: { en: explanation.en, ru: explanation.ru },
      transient: explanation.transient,
    },
  });
}

/** Validates a parsed element; a mismatch is GATEWAY_BAD_RESPONSE naming the first issue (never a value). */
export function validateAssistReply<T extends z.ZodType>(
  endpoint: string,
  schema: T,
  element: unknown,
  text: string,
): z.output<T> {
  const parsed = schema.safeParse(element);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw assistBadResponse(endpoint, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, {
      body: text,
    });
  }
  return parsed.data as z.output<T>;
}

export interface AssistCall {
  /** A stable name for errors (`orderstate`). */
  endpoint: string;
  /** Path on the merchant's host, e.g. `/orderstate/orderstate.cfm`. */
  path: string;
  params: ReadonlyArray<readonly [string, string]>;
  idempotent: boolean;
}

/** Web-service credentials, or ASSIST_CREDENTIALS_MISSING before anything is sent. */
export function credentials(config: AssistConfig, endpoint: string): { login: string; password: string } {
  if (!config.login || !config.password) {
    throw new KassaError(
      'ASSIST_CREDENTIALS_MISSING',
      `Assist ${endpoint} needs the web-service login and password in the Assist settings`,
      { details: { endpoint } },
    );
  }
  return { login: config.login.reveal(), password: config.password.reveal() };
}

/**
 * POSTs `Merchant_ID`, `Login`, `Password`, `Format=3` and the call's parameters to `${baseUrl}${path}` and parses the
 * `<result>`. The firstcode is returned, not checked: some calls give a non-zero code a meaning (orderstate 10/201).
 */
export async function callAssist(
  config: AssistConfig,
  call: AssistCall,
  options: AssistCallOptions = {},
): Promise<AssistXmlReply> {
  const { login, password } = credentials(config, call.endpoint);
  const body = new URLSearchParams([
    ['Merchant_ID', config.merchantId],
    ['Login', login],
    ['Password', password],
    ['Format', '3'],
    ...call.params.map(([n, v]) => [n, v] as [string, string]),
  ]).toString();
  const response = await assistPost(
    { endpoint: call.endpoint, url: `${config.baseUrl}${call.path}`, body, idempotent: call.idempotent },
    options,
  );
  return parseAssistXml(call.endpoint, response.text);
}

/** Reads `name` of a parsed element as a list (absent → empty). */
export function listOf(element: Record<string, unknown>, name: string): unknown[] {
  const value = element[name];
  if (value === undefined || value === '' || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
