/**
 * `@kassa/core/robokassa`: the Robokassa merchant protocol (payment requests, 54-FZ receipts, callbacks, the XML,
 * Refund, hold, recurring and RoboFiscal APIs, the method catalog) and its `Gateway`.
 */
export {
  type CatalogMethod,
  type CatalogResult,
  createMethodCatalog,
  type MethodCatalog,
  type MethodCatalogOptions,
} from '../catalog.js';
export { HASH_ALGORITHMS, type HashAlgorithm, hashHex, hexLength, isHashAlgorithm, signaturesEqual } from '../hash.js';
export * from './api/index.js';
export * from './callbacks.js';
export {
  COUNTRIES,
  type Country,
  createRobokassaConfig,
  DEFAULT_BASE_URLS,
  type RobokassaBaseUrls,
  type RobokassaConfig,
  type RobokassaConfigInput,
  robokassaConfigSchema,
} from './config.js';
export { buildFormBody, type FormPair, parseFormBody } from './encoding.js';
export {
  invIdOf,
  type RobokassaDetails,
  RobokassaGateway,
  type RobokassaGatewayOptions,
  robokassaDetails,
  robokassaGateway,
} from './gateway.js';
export { explainRobokassaError, ROBOKASSA_PAGE_ERROR_CODES, type RobokassaPageError } from './page-errors.js';
export * from './payment.js';
export * from './receipt.js';
export {
  createResultUrlHandler,
  handleResultUrl,
  type OnPaidContext,
  type ResultUrlHandlerDeps,
} from './result-url-handler.js';
export { MAX_SHP_LENGTH, SHP_PREFIX, type ShpEntry, type ShpParam } from './shp.js';
